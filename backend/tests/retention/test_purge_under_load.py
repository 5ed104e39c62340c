"""A purge of 100,000 old messages while webhooks keep arriving (issue 16).

Both run at once against the same database (SQLite by default, PostgreSQL with
``TEST_DATABASE_URL``): the purge in batches of 1,000, each its own transaction, and
``messages.upsert`` webhooks posted ten at a time. What is asserted is what must hold
whatever the machine's speed: every webhook is acknowledged (no lock error, no timeout
turned into a 5xx), every new message is stored exactly once, the purge deletes exactly
the old ones, and the trigger-kept rollups agree with the table. The p95 of the
acknowledgements under the purge (target 100 ms) is wall-clock, so it is measured by
``bench/retention.py`` and recorded in docs/benchmarks.md, not asserted here.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.messages.models import WhatsAppMessage
from evodash.reports.models import MessageDaily
from evodash.retention.service import purge
from tests.webhooks.support import InstanceFactory, post_event, settle, text_message

OLD = 100_000
NEW = 300
CONCURRENT = 10


_COLUMNS = (
    "instance_id, message_id, remote_jid, sender_phone, direction, from_me, is_group, "
    "message_type, text, wa_timestamp, is_allowed, raw, created_at, updated_at"
)
_SEED = {
    # One statement each: the rollup triggers run once over the 100,000 rows.
    "postgresql": f"""
        INSERT INTO whatsapp_message ({_COLUMNS})
        SELECT :instance_id, 'OLD' || lpad(n::text, 12, '0'), '5511900000000@s.whatsapp.net',
               '+5511900000000', 'in', false, false, 'conversation', 'old', :at, true,
               CAST('{{}}' AS jsonb), :at, :at
        FROM generate_series(0, :total - 1) AS n""",
    "sqlite": f"""
        WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < :total - 1)
        INSERT INTO whatsapp_message ({_COLUMNS})
        SELECT :instance_id, printf('OLD%012d', n), '5511900000000@s.whatsapp.net',
               '+5511900000000', 'in', 0, 0, 'conversation', 'old', :at, 1, '{{}}', :at, :at
        FROM g""",
}


async def _seed_old(db: async_sessionmaker[AsyncSession], instance_id: int) -> None:
    """100,000 messages 400 days old, inserted by the database itself (triggers and all)."""
    async with db() as session:
        dialect = session.get_bind().dialect.name
        at = utcnow() - timedelta(days=400)
        params = {
            "instance_id": instance_id,
            "total": OLD,
            "at": at if dialect == "postgresql" else at.strftime("%Y-%m-%d %H:%M:%S.%f"),
        }
        await session.execute(text(_SEED[dialect]), params)
        await session.commit()
        count = select(func.count()).select_from(WhatsAppMessage)
        assert await session.scalar(count) == OLD


@pytest.mark.slow
@pytest.mark.commits
async def test_purging_100000_old_messages_while_webhooks_arrive(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    hooked = await InstanceFactory(db).create("acme-support")
    await _seed_old(db, hooked.id)
    purging = settings.model_copy(
        update={"retention_messages_days": 365, "retention_batch_size": 1000}
    )
    purge_task = asyncio.create_task(purge(db, purging))
    now = int(utcnow().timestamp())
    statuses: list[int] = []
    during_purge = 0
    for start in range(0, NEW, CONCURRENT):
        bodies = [
            text_message(f"3EB0NEW{n:012d}", text_body=f"new {n}", timestamp=now)
            for n in range(start, start + CONCURRENT)
        ]
        responses = await asyncio.gather(
            *(post_event(client, hooked, body, wait=False) for body in bodies)
        )
        statuses += [r.status_code for r in responses]
        during_purge += 0 if purge_task.done() else len(responses)
    report = await purge_task
    await settle(client)

    assert statuses == [200] * NEW, {s: statuses.count(s) for s in set(statuses)}
    # The webhooks really met the purge (it runs a hundred batches).
    assert during_purge > 0
    assert {k.kind: k.count for k in report.kinds}["messages"] == OLD
    async with db() as session:
        kept = (await session.scalars(select(WhatsAppMessage.message_id))).all()
        stored = await session.scalar(select(func.sum(MessageDaily.stored)))
    assert sorted(kept) == [f"3EB0NEW{n:012d}" for n in range(NEW)]
    assert stored == NEW
