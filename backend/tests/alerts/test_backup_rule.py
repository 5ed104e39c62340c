"""The ``backup_failed`` rule: fires when the last automatic backup to ``BACKUP_DIR``
failed, resolves when a later one succeeds; silent while backups are not configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.alerts.engine import run_checks
from evodash.alerts.models import AlertState, RuleKind
from evodash.backups import files, tasks
from evodash.backups.schemas import Backup
from evodash.core.config import Settings
from evodash.core.db import utcnow
from tests import loopback
from tests.alerts.support import NOW, alerts, only, services_for


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback.client() as client:
        yield client


def _scheduled(settings: Settings, folder: Path) -> Settings:
    return settings.model_copy(
        update={
            "backup_dir": folder,
            "evodash_backup_passphrase": SecretStr("correct horse battery staple"),
        }
    )


async def test_fires_on_a_failed_scheduled_backup_and_resolves_after_a_good_one(
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await only(db, RuleKind.backup_failed)
    services = services_for(engine, db, _scheduled(settings, tmp_path / "backups"), http)

    async def broken(*args: object, **kwargs: object) -> Backup:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(tasks, "export_backup", broken)
        with pytest.raises(OSError, match="No space left"):
            await tasks.scheduled_backup(services)

    # The attempt's time is the real clock's: the checks run on it too.
    now = utcnow()
    report = await run_checks(services, now=now)
    (alert,) = await alerts(db, RuleKind.backup_failed)
    assert report.fired == [alert.id]
    assert alert.state == AlertState.firing.value
    assert alert.subject_type == "backups" and alert.subject_id is None
    assert alert.subject_key == "backups:scheduled"
    assert alert.facts is not None
    assert alert.facts["error"] == "[Errno 28] No space left on device"
    attempted = alert.facts["attempted_at"]
    assert isinstance(attempted, str) and alert.started_at.isoformat() == attempted
    assert "No space left on device" in (alert.detail or "")

    # Still failing: the same alert, nothing new.
    report = await run_checks(services, now=now + timedelta(seconds=60))
    assert report.fired == [] and report.resolved == []

    # The next scheduled backup succeeds (the failed one wrote no file: it is due).
    assert await tasks.scheduled_backup(services) is not None
    report = await run_checks(services, now=now + timedelta(seconds=120))
    (alert,) = await alerts(db, RuleKind.backup_failed)
    assert report.resolved == [alert.id]
    assert alert.state == AlertState.resolved.value
    assert alert.resolved_at == now + timedelta(seconds=120)


async def test_silent_when_automatic_backups_are_not_configured(
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    await only(db, RuleKind.backup_failed)
    folder = tmp_path / "backups"
    folder.mkdir()
    # An error file left by an earlier setup, but no passphrase: no automatic backups.
    (folder / ".last-error").write_text("2026-12-02T11:00:00+00:00: boom")
    unscheduled = settings.model_copy(update={"backup_dir": folder})
    services = services_for(engine, db, unscheduled, http)
    assert (await run_checks(services, now=NOW)).fired == []
    assert await alerts(db, RuleKind.backup_failed) == []


async def test_fires_when_backup_dir_cannot_be_written_at_all(
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    """A BACKUP_DIR that cannot hold the backup cannot hold its error file either (a
    file where the folder should be: even root cannot write below it): the failure is
    kept in DATA_DIR, where the alert and the status page find it."""
    await only(db, RuleKind.backup_failed)
    blocked = tmp_path / "backups"
    blocked.write_text("not a folder")
    scheduled = _scheduled(settings, blocked)
    services = services_for(engine, db, scheduled, http)
    with pytest.raises(OSError):
        await tasks.scheduled_backup(services)
    assert (scheduled.data_dir / files.FALLBACK_ERROR_FILE).is_file()
    assert files.status(scheduled).last_error is not None

    report = await run_checks(services, now=utcnow())
    (alert,) = await alerts(db, RuleKind.backup_failed)
    assert report.fired == [alert.id]
    assert alert.facts is not None and "File exists" in str(alert.facts["error"])

    # The folder is fixed; the next backup succeeds and forgets both error files.
    blocked.unlink()
    assert await tasks.scheduled_backup(services) is not None
    assert not (scheduled.data_dir / files.FALLBACK_ERROR_FILE).exists()
    assert files.status(scheduled).last_error is None
    report = await run_checks(services, now=utcnow() + timedelta(seconds=60))
    assert report.resolved == [alert.id]
