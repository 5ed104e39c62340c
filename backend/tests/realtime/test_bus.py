from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.realtime import emit, get_bus, set_bus
from evodash.realtime.bus import InProcessBus, RedisBus, make_event
from evodash.users.models import User


async def _next(iterator: Any, wait: float = 5.0) -> dict[str, Any]:
    result: dict[str, Any] = await asyncio.wait_for(iterator.__anext__(), wait)
    return result


class TestEmitAfterCommit:
    async def test_event_is_published_only_after_commit(
        self, db: async_sessionmaker[AsyncSession]
    ) -> None:
        bus = InProcessBus()
        previous = get_bus()
        set_bus(bus)
        try:
            events = bus.subscribe()
            pending = asyncio.ensure_future(_next(events))
            async with db() as session:
                session.add(User(username="rt", password_hash="x", role="viewer"))
                emit(session, "user.created", {"username": "rt"})
                await session.flush()
                await asyncio.sleep(0.05)
                assert not pending.done(), "published before commit"
                await session.commit()
            event = await pending
            assert event["type"] == "user.created"
            assert event["data"] == {"username": "rt"}
        finally:
            set_bus(previous)

    async def test_rolled_back_events_are_dropped(
        self, db: async_sessionmaker[AsyncSession]
    ) -> None:
        bus = InProcessBus()
        previous = get_bus()
        set_bus(bus)
        try:
            events = bus.subscribe()
            pending = asyncio.ensure_future(_next(events, wait=0.3))
            async with db() as session:
                session.add(User(username="rolled", password_hash="x", role="viewer"))
                emit(session, "never", {})
                await session.flush()
                await session.rollback()
                # A later commit of the same session must not resurrect it.
                await session.commit()
            with pytest.raises(asyncio.TimeoutError):
                await pending
        finally:
            set_bus(previous)


class TestInProcessBus:
    async def test_slow_subscriber_loses_oldest_not_blocks(self) -> None:
        bus = InProcessBus()
        bus._fanout.queue_size = 3
        events = bus.subscribe()
        for i in range(10):
            await bus.publish(make_event("n", {"i": i}))
        kept = [(await _next(events))["data"]["i"] for _ in range(3)]
        assert kept == [7, 8, 9]


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL not set")
class TestRedisBus:
    async def test_event_published_in_one_process_reaches_another(self) -> None:
        url = os.environ["TEST_REDIS_URL"]
        channel = f"evodash:test:{os.getpid()}"
        a, b = RedisBus(url, channel), RedisBus(url, channel)
        await a.start()
        await b.start()
        try:
            events = b.subscribe()
            pending = asyncio.ensure_future(_next(events))
            await asyncio.sleep(0.1)
            await a.publish(make_event("instance.updated", {"id": 7}))
            event = await pending
            assert event["type"] == "instance.updated"
            assert event["data"] == {"id": 7}
        finally:
            await a.stop()
            await b.stop()
