"""``MessageRepository.insert_new``: the applier's one INSERT for a batch of messages.

On PostgreSQL it is an ``INSERT … SELECT … FROM unnest(…)`` whose text does not depend
on the number of rows (prepared once per connection); the rows it stores must be exactly
those the ORM would store, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import utcnow
from evodash.messages.models import WhatsAppMessage
from evodash.messages.repository import MessageRepository
from tests.factories import add_instance


def _row(instance_id: int, n: int, now: datetime) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "message_id": f"3EB0{n:04d}",
        "remote_jid": "5511987654321@s.whatsapp.net",
        "participant": None if n % 2 else "5511900000000@s.whatsapp.net",
        "sender_phone": "+5511987654321",
        "sender_name": "Zoë 🚀 O'Brien",
        "direction": "in" if n % 3 else "out",
        "from_me": not n % 3,
        "is_group": bool(n % 2),
        "message_type": "conversation",
        "text": None if n == 2 else f'olá "mundo" {n} 😀\nsegunda linha',
        "media_mimetype": None,
        "status": None if n % 2 else "DELIVERY_ACK",
        "wa_timestamp": datetime(2026, 12, 1, 10, 0, n, 123456, tzinfo=UTC),
        "is_allowed": n != 1,
        "raw": {"key": {"id": f"3EB0{n:04d}"}, "nested": [1, None, "ção", {"x": 1.5}]},
        "created_at": now,
        "updated_at": now,
    }


async def test_stores_each_new_message_once_exactly_as_given(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        instance = await add_instance(session)
        now = utcnow() - timedelta(minutes=5)
        texts: list[str] = []

        def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if "whatsapp_message" in statement and statement.lstrip().startswith("INSERT"):
                texts.append(statement)

        sync_engine = session.get_bind()
        event.listen(sync_engine, "before_cursor_execute", note)
        try:
            repo = MessageRepository(session)
            first = await repo.insert_new([_row(instance.id, n, now) for n in range(3)])
            # Two repeated, two new: only the new ones are inserted and returned.
            second = await repo.insert_new([_row(instance.id, n, now) for n in range(1, 5)])
            single = await repo.insert_new([_row(instance.id, 9, now)])
        finally:
            event.remove(sync_engine, "before_cursor_execute", note)
        assert sorted(first) == ["3EB00000", "3EB00001", "3EB00002"]
        assert sorted(second) == ["3EB00003", "3EB00004"]
        assert list(single) == ["3EB00009"]
        if session.get_bind().dialect.name == "postgresql":
            assert len(texts) == 3 and len(set(texts)) == 1  # one text for 3, 4 and 1 rows

        stored = {
            m.message_id: m
            for m in (
                await session.scalars(
                    select(WhatsAppMessage).where(WhatsAppMessage.instance_id == instance.id)
                )
            ).all()
        }
        ids = {**first, **second, **single}
        assert {m: stored[m].id for m in stored} == ids
        for n in (0, 1, 2, 3, 4, 9):
            expected = _row(instance.id, n, now)
            message = stored[expected["message_id"]]
            for name, value in expected.items():
                assert getattr(message, name) == value, name
            assert message.deleted_at is None
