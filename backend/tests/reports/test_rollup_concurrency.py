"""The rollups under concurrent writers: many transactions storing messages of the same
hours at once (duplicates included) leave counts equal to the table's, with no deadlock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import utcnow
from evodash.messages.models import WhatsAppMessage
from evodash.messages.repository import MessageRepository
from evodash.reports.models import MessageDaily, MessageHourly, SenderDaily
from tests.factories import add_instance, add_server


@pytest.mark.commits
async def test_concurrent_inserts_and_deletes_keep_exact_counts(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as s:
        server = await add_server(s)
        instances = [await add_instance(s, f"i{n}", server=server) for n in range(2)]
        await s.commit()
    base = utcnow().replace(minute=30)

    async def writer(n: int) -> None:
        rows = [
            {
                "instance_id": instances[(n + k) % 2].id,
                # Ids overlap between writers: some inserts are skipped as duplicates.
                "message_id": f"M{(n * 7 + k) % 60}-{(n + k) % 2}",
                "remote_jid": "x@s.whatsapp.net",
                "sender_phone": f"+55119876543{k % 3}",
                "direction": "in" if k % 4 else "out",
                "message_type": "conversation",
                "wa_timestamp": base - timedelta(hours=k % 3, days=k % 2),
                "is_allowed": bool(k % 5),
                "raw": {},
            }
            for k in range(12)
        ]
        async with db() as session:
            await MessageRepository(session).insert_new(rows)
            await session.commit()

    await asyncio.gather(*(writer(n) for n in range(16)))
    m = WhatsAppMessage
    async with db() as s:
        total = await s.scalar(select(func.count()).select_from(m))
        incoming = await s.scalar(select(func.count()).select_from(m).where(m.direction == "in"))
        await s.execute(delete(m).where(m.message_id.like("M1%")))
        await s.commit()

    async with db() as s:
        left = await s.scalar(select(func.count()).select_from(m))
        d = MessageDaily
        daily = (
            await s.execute(select(func.sum(d.received), func.sum(d.sent), func.sum(d.stored)))
        ).one()
        h = MessageHourly
        hourly = (await s.execute(select(func.sum(h.received), func.sum(h.sent)))).one()
        senders = await s.scalar(select(func.sum(SenderDaily.messages)))
    assert total and incoming and left is not None and left < total
    # History counts every message ever stored; `stored` follows the deletes.
    assert tuple(daily) == (incoming, total - incoming, left)
    assert tuple(hourly) == (incoming, total - incoming)
    assert senders == incoming
