"""Periodic data work: automatic backups and retention purges (:mod:`evodash.retention`).

Plain async functions run by a small loop started in the lifespan with
``BACKGROUND_TASKS``. Several processes may run it: a backup is only written when the
newest file in ``BACKUP_DIR`` is older than the interval.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.backups import files
from evodash.backups.service import export_backup
from evodash.core.config import Settings
from evodash.core.db import utcnow

log = structlog.get_logger(__name__)


async def backup_if_due(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, force: bool = False
) -> Path | None:
    """Write a backup to ``BACKUP_DIR`` when the newest is older than the interval; the
    file written, or None. A failure is logged and shown to admins (and raised)."""
    folder, passphrase = settings.backup_dir, settings.evodash_backup_passphrase
    if folder is None or passphrase is None:
        return None
    newest = files.status(settings).last
    interval = timedelta(hours=settings.backup_interval_hours)
    if not force and newest is not None and utcnow() - newest.created_at < interval:
        return None
    try:
        async with sessionmaker() as session:
            backup = await export_backup(session, settings, passphrase.get_secret_value())
        path = await asyncio.to_thread(files.store, folder, backup, settings.backup_keep)
    except Exception as exc:
        files.record_error(folder, f"{utcnow().isoformat()}: {exc}")
        log.exception("backup.failed", folder=str(folder))
        raise
    log.info("backup.written", path=str(path), size=path.stat().st_size)
    return path


class DataTasks:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self._stopping = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []

    async def _backup(self) -> None:
        await backup_if_due(self.sessionmaker, self.settings)

    async def _purge(self) -> None:
        from evodash.retention.service import purge

        await purge(self.sessionmaker, self.settings, stopping=self._stopping)

    async def _loop(self, name: str, seconds: float, once: Callable[[], Awaitable[None]]) -> None:
        while not self._stopping.is_set():
            try:
                await once()
            except Exception:
                log.exception("data.task_failed", task=name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        specs: list[tuple[str, float, Callable[[], Awaitable[None]]]] = [
            ("retention", self.settings.retention_purge_interval_seconds, self._purge)
        ]
        if files.scheduled(self.settings):
            # Checked every few minutes; written once the interval has passed.
            specs.append(("backup", 300.0, self._backup))
        self._loops = [loop.create_task(self._loop(*spec)) for spec in specs]

    async def stop(self, grace: float = 10.0) -> None:
        self._stopping.set()
        if self._loops:
            _, pending = await asyncio.wait(self._loops, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._loops = []
