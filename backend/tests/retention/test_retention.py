"""Retention: ages per kind (and per instance for messages), dry runs that only count,
batched purges, media files removed only when no job still uses them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import WhatsAppMessage
from evodash.reports.models import MessageDaily
from evodash.retention.service import purge
from evodash.users.models import AuditLog
from tests.factories import UserFactory, add_instance, add_server

AsUser = Callable[[Any], Awaitable[dict[str, str]]]
AGES = (5, 15, 40)  # days: messages of each instance


@pytest.fixture
def retention(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "retention_messages_days": 30,
            "retention_media_days": 20,
            "retention_jobs_days": 60,
            "retention_connection_events_days": 30,
            "retention_audit_days": 90,
            "retention_batch_size": 2,  # several batches per kind
        }
    )


async def seed(db: async_sessionmaker[AsyncSession], settings: Settings) -> dict[str, int]:
    now = utcnow()
    (settings.media_root / "ab").mkdir(parents=True)
    for name in ("shared.jpg", "old.jpg", "old.jpg.thumb.jpg"):
        (settings.media_root / "ab" / name).write_bytes(b"img")
    async with db() as s:
        server = await add_server(s)
        a = await add_instance(s, "a", server=server)
        a.message_retention_days = 10
        b = await add_instance(s, "b", server=server)
        await s.flush()
        for inst in (a, b):
            for age in AGES:
                s.add(
                    WhatsAppMessage(
                        instance_id=inst.id,
                        message_id=f"{inst.name}{age}",
                        remote_jid="x@s.whatsapp.net",
                        direction="in",
                        message_type="conversation",
                        wa_timestamp=now - timedelta(days=age),
                        raw={},
                    )
                )
        jobs = [
            # (age in days, media, thumbnail)
            (25, "ab/old.jpg", "ab/old.jpg.thumb.jpg"),
            (25, "ab/shared.jpg", None),
            (3, "ab/shared.jpg", None),  # recent: keeps the shared file
            (70, None, None),
        ]
        for age, path, thumb in jobs:
            s.add(
                ImageProcessingJob(
                    status="succeeded",
                    created_at=now - timedelta(days=age),
                    media_path=path,
                    thumbnail_path=thumb,
                )
            )
        s.add(ImageProcessingJob(status="pending", created_at=now - timedelta(days=70)))
        for age in (1, 31, 45):
            s.add(
                ConnectionEvent(
                    instance_id=a.id, state="open", source="sync", at=now - timedelta(days=age)
                )
            )
        for age in (1, 100):
            entry = AuditLog(action="x.y", created_at=now - timedelta(days=age))
            s.add(entry)
        await s.commit()
        return {"a": a.id, "b": b.id}


async def count(db: async_sessionmaker[AsyncSession], model: Any, *where: Any) -> int:
    async with db() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


class TestPurge:
    async def test_dry_run_counts_then_purge_deletes_the_same(
        self, db: async_sessionmaker[AsyncSession], retention: Settings
    ) -> None:
        ids = await seed(db, retention)
        dry = await purge(db, retention, dry_run=True)
        expected = {
            # A keeps 10 days (15 and 40 go), B the global 30 (40 goes).
            "messages": 3,
            "media_files": 2,
            "jobs": 1,  # the 70-day-old finished job; the pending one stays
            "webhook_events": 0,
            "connection_events": 2,
            "audit_entries": 1,
        }
        assert {k.kind: k.count for k in dry.kinds} == expected
        assert await count(db, WhatsAppMessage) == 6  # nothing deleted

        done = await purge(db, retention)
        assert {k.kind: k.count for k in done.kinds} == expected
        async with db() as s:
            left = (await s.execute(select(WhatsAppMessage.message_id))).scalars().all()
        assert sorted(left) == ["a5", "b15", "b5"]
        assert await count(db, ImageProcessingJob) == 4
        assert await count(db, ConnectionEvent) == 1
        # The purge itself is audited; the 100-day-old entry is gone.
        async with db() as s:
            actions = (await s.execute(select(AuditLog.action))).scalars().all()
        assert sorted(actions) == ["retention.purged", "x.y"]
        media = retention.media_root / "ab"
        assert not (media / "old.jpg").exists() and not (media / "old.jpg.thumb.jpg").exists()
        assert (media / "shared.jpg").exists()  # a recent job still uses it
        # Reports keep the history; the stored count follows the table.
        async with db() as s:
            received = await s.scalar(select(func.sum(MessageDaily.received)))
            stored = await s.scalar(select(func.sum(MessageDaily.stored)))
        assert (received, stored) == (6, 3)
        assert ids

        again = await purge(db, retention)
        assert all(k.count == 0 for k in again.kinds)

    async def test_zero_keeps_everything(
        self, db: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        await seed(db, settings)
        async with db() as s:
            await s.execute(
                EvolutionInstance.__table__.update().values(message_retention_days=None)
            )
            await s.commit()
        report = await purge(db, settings)
        counts = {k.kind: k.count for k in report.kinds}
        assert counts["messages"] == 0 and counts["jobs"] == 0 and counts["audit_entries"] == 0
        assert await count(db, WhatsAppMessage) == 6


class TestPreviewApi:
    async def test_admins_see_what_would_go(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        tmp_path: Path,
    ) -> None:
        await seed(db, settings)
        headers = await as_user(await users.admin())
        r = await client.get("/api/retention/preview", headers=headers)
        assert r.status_code == 200
        kinds = {k["kind"]: k for k in r.json()["kinds"]}
        assert kinds["messages"]["count"] == 2  # instance A's own 10 days
        assert kinds["webhook_events"]["days"] == settings.webhook_event_retention_days
        assert await count(db, WhatsAppMessage) == 6
        viewer = await as_user(await users.viewer())
        assert (await client.get("/api/retention/preview", headers=viewer)).status_code == 403

    async def test_instance_setting_through_the_api(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        ids = await seed(db, settings)
        headers = await as_user(await users.admin())
        r = await client.patch(
            f"/api/instances/{ids['b']}", json={"message_retention_days": 7}, headers=headers
        )
        assert r.status_code == 200, r.text
        assert r.json()["message_retention_days"] == 7
        r = await client.patch(
            f"/api/instances/{ids['b']}", json={"message_retention_days": 0}, headers=headers
        )
        assert r.status_code == 422
        # Null gives the instance back to RETENTION_MESSAGES_DAYS (the edit form's blank).
        r = await client.patch(
            f"/api/instances/{ids['b']}", json={"message_retention_days": None}, headers=headers
        )
        assert r.status_code == 200, r.text
        assert r.json()["message_retention_days"] is None
