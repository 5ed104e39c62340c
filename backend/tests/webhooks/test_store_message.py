"""``store_message`` (a message we sent, stored from ``sendText``'s answer): when the
``send.message`` webhook stored it first, the answer only moves its status forward,
through the same receipts the applier applies."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash import realtime
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.evolution.messages import parse_message
from evodash.instances.models import EvolutionInstance
from evodash.messages import service
from evodash.realtime.events import MessageCreatedEvent, MessageUpdatedEvent
from tests.webhooks.support import InstanceFactory, messages, text_message


@pytest.mark.parametrize(("again", "final"), [("READ", "READ"), ("PENDING", "SERVER_ACK")])
async def test_a_message_stored_again_only_moves_its_status_forward(
    db: async_sessionmaker[AsyncSession],
    instances: InstanceFactory,
    settings: Settings,
    again: str,
    final: str,
) -> None:
    hooked = await instances.create()
    data = text_message("SENT1")["data"]
    data["status"] = "SERVER_ACK"
    async with db() as session:
        instance = await session.get(EvolutionInstance, hooked.id)
        assert instance is not None
        row, _ = await service.store_message(
            session, instance, parse_message(data), settings=settings, fallback_time=utcnow()
        )
        assert row is not None
        data["status"] = again
        second, _ = await service.store_message(
            session, instance, parse_message(data), settings=settings, fallback_time=utcnow()
        )
        assert second is None  # already stored
        queued = realtime.pending(session)
        await session.commit()
    assert [type(e) for e in queued].count(MessageCreatedEvent) == 1
    updated = [e.data.status for e in queued if isinstance(e, MessageUpdatedEvent)]
    assert updated == ([final] if again == final else [])  # a status never goes back
    [stored] = await messages(db)
    assert stored.status == final
