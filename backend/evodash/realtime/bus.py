"""The realtime event bus: in-process by default, Redis pub/sub across API processes.

Producers never talk to the bus directly inside a transaction: they call
:func:`evodash.realtime.emit`, which queues the event on the session and publishes it
only after that session commits. A browser therefore never hears about a change that
was rolled back. The bus carries events as JSON-ready dicts.

A commit's events travel together (:meth:`EventBus.publish_many`): on Redis one message
(a JSON array) per commit, not one per event. The applier commits hundreds of events at a
time, and every API process decodes every message: per event, a message of its own costs
each of them more than sending the event to its browsers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol

import orjson
import structlog

log = structlog.get_logger(__name__)

CHANNEL = "evodash:events"


class EventBus(Protocol):
    #: False when publishing would reach nobody (no local subscriber, no other process).
    @property
    def listening(self) -> bool: ...

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, event: dict[str, Any]) -> None: ...
    async def publish_many(self, events: Sequence[dict[str, Any]]) -> None: ...
    def subscribe(self) -> AsyncIterator[dict[str, Any]]: ...


class _Fanout:
    """Delivers to local subscribers; a slow subscriber loses old events, never blocks."""

    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        self.queues: set[asyncio.Queue[dict[str, Any]]] = set()

    def deliver(self, event: dict[str, Any]) -> None:
        for queue in list(self.queues):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    def iterate(self) -> AsyncIterator[dict[str, Any]]:
        # Registered now, not at the first read: nothing published in between is lost.
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self.queue_size)
        self.queues.add(queue)
        return _Subscription(self, queue)


class _Subscription:
    def __init__(self, fanout: _Fanout, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._fanout = fanout
        self._queue = queue

    def __aiter__(self) -> _Subscription:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._queue not in self._fanout.queues:
            raise StopAsyncIteration
        return await self._queue.get()

    async def aclose(self) -> None:
        self._fanout.queues.discard(self._queue)

    def __del__(self) -> None:
        self._fanout.queues.discard(self._queue)


class InProcessBus:
    def __init__(self) -> None:
        self._fanout = _Fanout()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, event: dict[str, Any]) -> None:
        self._fanout.deliver(event)

    async def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        for event in events:
            self._fanout.deliver(event)

    def subscribe(self) -> AsyncIterator[dict[str, Any]]:
        return self._fanout.iterate()

    @property
    def listening(self) -> bool:
        return bool(self._fanout.queues)


class RedisBus:
    """Publishes to a Redis channel; one listener task per process feeds local subscribers."""

    def __init__(self, url: str, channel: str | None = None) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, decode_responses=True)
        # Pub/sub channels are not per database: two deployments sharing a Redis on
        # different databases would hear each other's events without the number.
        db = self._redis.connection_pool.connection_kwargs.get("db", 0)
        self._channel = channel or f"{CHANNEL}:{db}"
        self._fanout = _Fanout()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="redis-bus-listener")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._redis.aclose()

    async def publish(self, event: dict[str, Any]) -> None:
        await self.publish_many([event])

    async def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        """One message: a single event as an object, several as an array."""
        if not events:
            return
        payload = events[0] if len(events) == 1 else list(events)
        try:
            await self._redis.publish(self._channel, _dumps(payload))
        except Exception as exc:  # the bus is best-effort; the database is the truth
            log.warning("realtime.publish_failed", error=str(exc), events=len(events))

    def subscribe(self) -> AsyncIterator[dict[str, Any]]:
        return self._fanout.iterate()

    @property
    def listening(self) -> bool:
        return True  # other processes may have subscribers

    async def _listen(self) -> None:
        backoff = 0.5
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(self._channel)
                self._ready.set()
                backoff = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        decoded = _loads(message["data"])
                    except (TypeError, ValueError):
                        log.warning("realtime.bad_message")
                        continue
                    for event in decoded if isinstance(decoded, list) else [decoded]:
                        if isinstance(event, dict):
                            self._fanout.deliver(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("realtime.redis_listener_error", error=str(exc), retry_in=backoff)
                self._ready.set()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10)


def _dumps(payload: object) -> str:
    try:
        return orjson.dumps(payload).decode()
    except TypeError:  # what orjson refuses (a lone surrogate…): the standard encoder
        return json.dumps(payload, default=str)


def _loads(data: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # NaN, written by the standard encoder
        return json.loads(data)


def create_bus(redis_url: str | None) -> EventBus:
    return RedisBus(redis_url) if redis_url else InProcessBus()
