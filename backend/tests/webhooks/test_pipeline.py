"""The pipeline: group commit, acknowledgement only once durable, batched and ordered
application (one applier per instance at a time), and a restart that applies what was
acknowledged before it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import create_engine, create_sessionmaker, utcnow
from evodash.instances.models import ConnectionEvent
from evodash.main import create_app
from evodash.webhooks import handlers
from evodash.webhooks.applier import Applier
from evodash.webhooks.models import WebhookEvent
from tests import loopback
from tests.webhooks.support import (
    InstanceFactory,
    events,
    messages,
    post_event,
    settle,
    text_message,
)

pytestmark = pytest.mark.commits


def _connection(instance: str, state: str, at: datetime) -> dict[str, Any]:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    data = {"instance": instance, "state": state, "statusReason": 200}
    return {"event": "connection.update", "instance": instance, "data": data, "date_time": stamp}


async def test_concurrent_events_share_commits_and_all_are_stored(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    appender = app.state.webhook_tasks.receiver.appender
    groups: list[int] = []
    original = appender._insert

    async def counted(rows: list[dict[str, Any]]) -> list[int]:
        groups.append(len(rows))
        return await original(rows)

    monkeypatch.setattr(appender, "_insert", counted)
    hooked = await instances.create("acme-support")
    bodies = [text_message(f"G{i}") for i in range(40)]
    answers = await asyncio.gather(
        *(post_event(client, hooked, body, wait=False) for body in bodies)
    )
    assert [a.status_code for a in answers] == [200] * 40
    assert sum(groups) == 40 and len(groups) < 40  # group commit
    ids = sorted(a.json()["event_id"] for a in answers)
    assert ids == [e.id for e in await events(db)]
    await settle(client)
    assert len(await messages(db)) == 40


async def test_nothing_is_acknowledged_that_was_not_stored(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def database_down(rows: list[dict[str, Any]]) -> list[int]:
        raise OperationalError("INSERT", {}, Exception("the database is gone"))

    monkeypatch.setattr(app.state.webhook_tasks.receiver.appender, "_insert", database_down)
    hooked = await instances.create("acme-support")
    response = await post_event(client, hooked, text_message("LOST"), wait=False)
    assert response.status_code == 503
    assert response.json()["error"] == "webhook_not_stored"
    assert await events(db) == []


async def test_a_batch_applies_updates_before_their_message_and_isolates_a_failure(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = handlers.messages.store_messages

    async def choke_on_bad(*args: Any, **kwargs: Any) -> Any:
        if any(m.message_id == "BAD" for m, _ in args[2]):
            raise RuntimeError("cannot store BAD")
        return await original(*args, **kwargs)

    monkeypatch.setattr(handlers.messages, "store_messages", choke_on_bad)
    hooked = await instances.create("acme-support")
    early = {"keyId": "M1", "remoteJid": "x", "fromMe": False, "status": "READ"}
    update = {"event": "messages.update", "instance": "acme-support", "data": early}
    sequence = [update, text_message("M1"), text_message("BAD"), text_message("M2")]
    await app.state.webhook_tasks.applier.stop()  # so that the four make one batch
    for body in sequence:
        assert (await post_event(client, hooked, body, wait=False)).status_code == 200
    assert await app.state.webhook_tasks.applier.settle() == 4
    by_id = {e.id: e for e in await events(db)}
    statuses = [by_id[i].status for i in sorted(by_id)]
    assert statuses == ["processed", "processed", "failed", "processed"]
    assert by_id[sorted(by_id)[2]].error == "RuntimeError: cannot store BAD"
    stored = {m.message_id: m.status for m in await messages(db)}
    assert stored == {"M1": "READ", "M2": "DELIVERY_ACK"}
    assert all(e.attempts == 1 for e in by_id.values())


@pytest.fixture
async def two_appliers(
    database_url: str, settings: Settings
) -> AsyncIterator[tuple[Applier, Applier]]:
    """Two appliers with engines of their own, as two processes would have."""
    engines = [create_engine(database_url), create_engine(database_url)]
    makers = [create_sessionmaker(e) for e in engines]
    appliers = tuple(Applier(lambda m=m: m, settings, batch_size=7) for m in makers)
    yield appliers  # type: ignore[misc]
    for engine in engines:
        await engine.dispose()


async def test_two_appliers_apply_each_instance_in_order_once(
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    two_appliers: tuple[Applier, Applier],
) -> None:
    """Transitions only follow each other when each instance's events are applied one at
    a time and in order: an ``open`` applied after the next ``close`` would be stale."""
    hooked = [await instances.create(f"order-{n}") for n in range(3)]
    start = datetime(2025, 1, 15, 11, 0, tzinfo=UTC)
    rows = []
    for step in range(24):
        for h in hooked:
            state = "open" if step % 2 == 0 else "close"
            body = _connection(h.name, state, start + timedelta(seconds=step))
            rows.append(
                {
                    "instance_id": h.id,
                    "event": "connection.update",
                    "instance_name": h.name,
                    "body": body,
                    "status": "received",
                    "attempts": 0,
                    "received_at": utcnow(),
                }
            )
    async with db() as session:
        await session.execute(insert(WebhookEvent), rows)
        await session.commit()
    counts = await asyncio.gather(*(applier.settle() for applier in two_appliers))
    assert sum(counts) == len(rows)
    async with db() as session:
        attempts = (await session.scalars(select(WebhookEvent.attempts))).all()
        assert sorted(set(attempts)) == [1]
        for h in hooked:
            states = (
                await session.scalars(
                    select(ConnectionEvent.state)
                    .where(ConnectionEvent.instance_id == h.id)
                    .order_by(ConnectionEvent.id)
                )
            ).all()
            assert states == ["open", "close"] * 12


async def test_a_restart_applies_what_was_acknowledged_before(
    settings: Settings, instances: InstanceFactory, db: async_sessionmaker[AsyncSession]
) -> None:
    hooked = await instances.create("acme-support")
    first = create_app(settings)
    async with (
        LifespanManager(first),
        loopback.client(transport=httpx.ASGITransport(app=first), base_url="http://t") as c,
    ):
        await first.state.webhook_tasks.applier.stop()  # dies before applying anything
        for i in range(5):
            response = await post_event(c, hooked, text_message(f"R{i}"), wait=False)
            assert response.status_code == 200
    assert await messages(db) == []
    second = create_app(settings.model_copy(update={"background_tasks": True}))
    async with LifespanManager(second):
        async with asyncio.timeout(10):
            while True:
                async with db() as session:
                    waiting = await session.scalar(
                        select(func.count())
                        .select_from(WebhookEvent)
                        .where(WebhookEvent.status == "received")
                    )
                if not waiting:
                    break
                await asyncio.sleep(0.02)
    assert sorted(m.message_id for m in await messages(db)) == [f"R{i}" for i in range(5)]


async def test_on_sqlite_a_batch_holds_the_write_lock_for_a_bounded_time(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    is_postgres: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every acknowledgement waits for the applier's batch to commit on SQLite: a batch
    takes as many events as fit in ``max_hold`` at the time an event took so far."""
    applier = app.state.webhook_tasks.applier
    await applier.stop()
    hooked = await instances.create("acme-support")
    for n in range(40):
        body = text_message(f"B{n}")
        assert (await post_event(client, hooked, body, wait=False)).status_code == 200
    sizes: list[int] = []
    original = applier._apply_batch

    async def recorded(limit: int) -> tuple[int, float | None]:
        applied, held = await original(limit)
        sizes.append(applied)
        return applied, held

    monkeypatch.setattr(applier, "_apply_batch", recorded)
    applier.max_hold, applier.min_batch = 0.01, 4
    applier._per_event = 0.001  # 1 ms an event so far: 10 fit
    assert await applier.settle() == 40
    if is_postgres:  # appends never wait for the applier there: one batch
        assert sizes == [40, 0]
        assert applier._per_event == 0.001
    else:
        assert sizes[0] == 10  # then as many as the time measured meanwhile lets in
        assert sum(sizes) == 40 and len(sizes) > 2 and sizes[-1] == 0
        assert applier._per_event != 0.001  # learned from the batches it applied
    assert len(await messages(db)) == 40


def test_a_loaded_sqlite_applier_still_takes_batches_of_a_hundred(settings: Settings) -> None:
    """Under load an event seems to take a millisecond or more of wall time (the requests
    served meanwhile): the default floor must still let a hundred in, or each batch's
    fixed statements are paid for a handful of events (15 ms let in 15: a third more CPU
    per event, docs/benchmarks.md, "Webhook ingest, ninth machine")."""
    applier = Applier(lambda: None, settings)  # type: ignore[arg-type, return-value]
    applier._per_event = 0.001
    assert applier.limit() == 100


def test_the_batch_limit_follows_the_time_an_event_takes(settings: Settings) -> None:
    applier = Applier(lambda: None, settings, batch_size=300, max_hold=0.015, min_batch=16)  # type: ignore[arg-type, return-value]
    assert applier.limit() == 300  # nothing learned yet
    applier._per_event = 0.0001  # 0.1 ms: 150 fit in 15 ms
    assert applier.limit() == 150
    applier._per_event = 0.01  # 10 ms: one would fit, the floor is 16
    assert applier.limit() == 16
    applier._per_event = 0.000001
    assert applier.limit() == 300  # never more than batch_size
    applier.max_hold = None
    applier._per_event = 0.01
    assert applier.limit() == 300
