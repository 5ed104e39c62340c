from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.realtime import emit, with_bus
from evodash.realtime.bus import InProcessBus, RedisBus
from evodash.realtime.events import ServerRef, ServerUpdatedEvent
from evodash.users.models import User


async def _next(iterator: Any, wait: float = 5.0) -> dict[str, Any]:
    result: dict[str, Any] = await asyncio.wait_for(iterator.__anext__(), wait)
    return result


def _server(n: int) -> ServerUpdatedEvent:
    return ServerUpdatedEvent(data=ServerRef(id=n, name=f"s{n}"))


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
def sessions(
    db: async_sessionmaker[AsyncSession], bus: InProcessBus
) -> async_sessionmaker[AsyncSession]:
    """The test's sessions, publishing on ``bus`` (as the app's sessionmaker does)."""
    return with_bus(db, bus)


async def _drain_until(events: Any, marker: int) -> list[int]:
    """The server ids published until (and without) ``marker``."""
    seen = []
    while (event := await _next(events))["data"]["id"] != marker:
        seen.append(event["data"]["id"])
    return seen


class TestEmitAfterCommit:
    async def test_event_is_published_only_after_commit(
        self, sessions: async_sessionmaker[AsyncSession], bus: InProcessBus
    ) -> None:
        events = bus.subscribe()
        pending = asyncio.ensure_future(_next(events))
        async with sessions() as session:
            session.add(User(username="rt", password_hash="x", role="viewer"))
            emit(session, _server(1))
            await session.flush()
            await asyncio.sleep(0.05)
            assert not pending.done(), "published before commit"
            await session.commit()
        event = await pending
        assert event["type"] == "server.updated"
        assert event["data"] == {"id": 1, "name": "s1"}
        assert set(event) == {"id", "type", "at", "data", "subject"}
        assert event["subject"] == {"instance_id": None, "server_id": 1}

    async def test_rolled_back_events_are_dropped(
        self, sessions: async_sessionmaker[AsyncSession], bus: InProcessBus
    ) -> None:
        events = bus.subscribe()
        async with sessions() as session:
            session.add(User(username="rolled", password_hash="x", role="viewer"))
            emit(session, _server(1))
            await session.flush()
            await session.rollback()
            # A later commit of the same session must not resurrect it.
            await session.commit()
            emit(session, _server(99))  # the marker
            await session.commit()
        assert await _drain_until(events, 99) == []

    async def test_a_rolled_back_savepoint_drops_its_events_only(
        self, sessions: async_sessionmaker[AsyncSession], bus: InProcessBus
    ) -> None:
        events = bus.subscribe()
        async with sessions() as session:
            emit(session, _server(1))
            with contextlib.suppress(RuntimeError):
                async with session.begin_nested():
                    emit(session, _server(2))
                    async with session.begin_nested():
                        emit(session, _server(3))
                    raise RuntimeError("the step failed")
            async with session.begin_nested():
                emit(session, _server(4))  # released: kept
            await session.commit()
            emit(session, _server(99))
            await session.commit()
        assert await _drain_until(events, 99) == [1, 4]

    async def test_released_savepoint_events_go_with_an_outer_rollback(
        self, sessions: async_sessionmaker[AsyncSession], bus: InProcessBus
    ) -> None:
        events = bus.subscribe()
        async with sessions() as session:
            with contextlib.suppress(RuntimeError):
                async with session.begin_nested():
                    async with session.begin_nested():
                        emit(session, _server(5))
                    raise RuntimeError("outer step failed")
            await session.commit()
            emit(session, _server(99))
            await session.commit()
        assert await _drain_until(events, 99) == []

    async def test_a_session_without_a_bus_publishes_nowhere(
        self,
        db: async_sessionmaker[AsyncSession],
        sessions: async_sessionmaker[AsyncSession],
        bus: InProcessBus,
    ) -> None:
        events = bus.subscribe()
        async with db() as session:  # no bus of its own: no global one either
            emit(session, _server(1))
            await session.commit()
        async with sessions() as session:
            emit(session, _server(99))
            await session.commit()
        assert await _drain_until(events, 99) == []


class TestInProcessBus:
    async def test_slow_subscriber_loses_oldest_not_blocks(self) -> None:
        bus = InProcessBus()
        bus._fanout.queue_size = 3
        events = bus.subscribe()
        for i in range(10):
            await bus.publish(_server(i).model_dump(mode="json"))
        kept = [(await _next(events))["data"]["id"] for _ in range(3)]
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
            await a.publish(_server(7).model_dump(mode="json"))
            event = await pending
            assert event["type"] == "server.updated"
            assert event["data"] == {"id": 7, "name": "s7"}
        finally:
            await a.stop()
            await b.stop()

    async def test_events_of_one_commit_travel_as_one_message_and_arrive_in_order(
        self,
    ) -> None:
        url = os.environ["TEST_REDIS_URL"]
        channel = f"evodash:test:{os.getpid()}:many"
        a, b = RedisBus(url, channel), RedisBus(url, channel)
        await a.start()
        await b.start()
        raw = a._redis.pubsub()
        await raw.subscribe(channel)
        try:
            events = b.subscribe()
            await asyncio.sleep(0.1)
            await a.publish_many([_server(i).model_dump(mode="json") for i in range(5)])
            got = [(await _next(events))["data"]["id"] for _ in range(5)]
            assert got == [0, 1, 2, 3, 4]
            messages = []
            async with asyncio.timeout(5):
                while len(messages) < 1:
                    message = await raw.get_message(ignore_subscribe_messages=True, timeout=1)
                    if message is not None:
                        messages.append(message)
            assert len(messages) == 1  # one PUBLISH for the five
        finally:
            await raw.aclose()
            await a.stop()
            await b.stop()

    async def test_the_channel_names_the_database(self) -> None:
        """Pub/sub ignores the database number: two deployments sharing a Redis on
        databases 1 and 2 must not hear each other."""
        base = os.environ["TEST_REDIS_URL"].rsplit("/", 1)[0]
        one, two = RedisBus(f"{base}/1"), RedisBus(f"{base}/2")
        try:
            assert one._channel != two._channel
            assert one._channel.endswith(":1") and two._channel.endswith(":2")
        finally:
            await one._redis.aclose()
            await two._redis.aclose()
