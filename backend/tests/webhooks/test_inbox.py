"""The driver-level inbox writer: rows as the ORM would write them, ids in order, a
refused group stored not at all (real commits, on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import gc
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.webhooks.inbox import InboxWriteFailed, InboxWriter
from evodash.webhooks.models import WebhookEvent
from tests.webhooks.support import InstanceFactory, text_message

pytestmark = pytest.mark.commits


def _row(instance_id: int, n: int, at: datetime) -> dict[str, Any]:
    body = text_message(f"INBOX{n}", text_body=f'olá {n} \u2713 "aspas" \\ barra')
    return {
        "instance_id": instance_id,
        "event": "messages.upsert",
        "instance_name": body["instance"],
        "body": body,
        "status": "received",
        "attempts": 0,
        "received_at": at,
    }


async def _stored(db: async_sessionmaker[AsyncSession]) -> list[WebhookEvent]:
    async with db() as session:
        return list((await session.scalars(select(WebhookEvent).order_by(WebhookEvent.id))).all())


async def test_a_group_is_stored_in_order_and_reads_back_as_written(
    engine: AsyncEngine, db: async_sessionmaker[AsyncSession], instances: InstanceFactory
) -> None:
    hooked = await instances.create("acme-support")
    at = datetime(2026, 12, 2, 18, 30, 5, 123456, tzinfo=UTC)
    writer = InboxWriter(engine)
    try:
        first = await writer.append(
            [_row(hooked.id, n, at + timedelta(seconds=n)) for n in range(5)]
        )
        second = await writer.append([_row(hooked.id, 5, at)])
    finally:
        await writer.close()
    rows = await _stored(db)
    assert [r.id for r in rows] == first + second
    assert first == sorted(first) and second[0] > first[-1]
    for n, row in enumerate(rows):
        expected = _row(hooked.id, n, at + timedelta(seconds=n if n < 5 else 0))
        assert row.body == expected["body"]
        assert row.received_at == expected["received_at"]
        assert (row.event, row.status, row.attempts) == ("messages.upsert", "received", 0)
    # The stored time compares with times the ORM writes (the applier's range queries).
    async with db() as session:
        later = await session.scalars(
            select(WebhookEvent.id).where(WebhookEvent.received_at > at + timedelta(seconds=3))
        )
        assert list(later) == first[4:]


async def test_a_refused_row_leaves_its_whole_group_unstored(
    engine: AsyncEngine, db: async_sessionmaker[AsyncSession], instances: InstanceFactory
) -> None:
    hooked = await instances.create("acme-support")
    now = datetime.now(UTC)
    writer = InboxWriter(engine)
    try:
        with pytest.raises(InboxWriteFailed) as refused:
            await writer.append([_row(hooked.id, 1, now), _row(hooked.id + 1000, 2, now)])
        assert refused.value.integrity
        assert await _stored(db) == []
        # The writer recovers: the next group goes through on a new connection.
        [event_id] = await writer.append([_row(hooked.id, 3, now)])
    finally:
        await writer.close()
    assert [r.id for r in await _stored(db)] == [event_id]


async def test_concurrent_receipts_share_commits_through_the_writer(
    engine: AsyncEngine, db: async_sessionmaker[AsyncSession], instances: InstanceFactory
) -> None:
    """The app's appender on a real engine writes through the driver; every id it
    answers names the row of that request."""
    from evodash.webhooks.receiver import Appender

    hooked = await instances.create("acme-support")
    groups: list[int] = []
    appender = Appender(lambda: db, on_commit=lambda: None, on_gone=lambda _: None)
    original = appender._insert

    async def counted(rows: list[dict[str, Any]]) -> list[int]:
        groups.append(len(rows))
        return await original(rows)

    appender._insert = counted  # type: ignore[method-assign]
    now = datetime.now(UTC)
    try:
        ids = await asyncio.gather(*(appender.append(_row(hooked.id, n, now)) for n in range(30)))
    finally:
        await appender.close()
    assert appender._writer_of is None  # its connection went back with close()
    assert len(groups) < 30 and sum(groups) == 30
    stored = {r.id: r.body["data"]["key"]["id"] for r in await _stored(db)}
    assert [stored[i] for i in ids] == [f"INBOX{n}" for n in range(30)]


async def test_on_sqlite_requests_that_wait_for_the_write_slot_share_the_next_commit(
    engine: AsyncEngine, db: async_sessionmaker[AsyncSession], instances: InstanceFactory
) -> None:
    """While the applier holds SQLite's write slot, every request that arrives goes in the
    group written as soon as the slot is free, ahead of the applier's next batch (which
    queued for the slot meanwhile). The group used to be taken before the wait: requests
    that came later waited for that next batch too (the ingest benchmark's p99)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL appends take no write slot")
    from evodash.core.locking import sqlite_write_slot
    from evodash.webhooks.receiver import Appender

    hooked = await instances.create("acme-support")
    appender = Appender(lambda: db, on_commit=lambda: None, on_gone=lambda _: None)
    groups: list[int] = []
    original = appender._insert

    async def counted(rows: list[dict[str, Any]]) -> list[int]:
        groups.append(len(rows))
        return await original(rows)

    appender._insert = counted  # type: ignore[method-assign]
    seen_by_next_batch: list[int] = []

    async def next_batch() -> None:
        async with sqlite_write_slot(engine):
            seen_by_next_batch.append(sum(groups))

    now = datetime.now(UTC)
    try:
        async with sqlite_write_slot(engine):  # the applier's batch
            first = asyncio.create_task(appender.append(_row(hooked.id, 1, now)))
            await asyncio.sleep(0.01)  # the appender waits for the slot
            second = asyncio.create_task(appender.append(_row(hooked.id, 2, now)))
            await asyncio.sleep(0)
            applier = asyncio.create_task(next_batch())
            await asyncio.sleep(0.01)
        await asyncio.gather(first, second, applier)
    finally:
        await appender.close()
    assert groups == [2]
    assert seen_by_next_batch == [2]  # both stored before the next batch began


async def test_the_appender_checks_out_its_connection_before_the_write_slot(
    engine: AsyncEngine, db: async_sessionmaker[AsyncSession], instances: InstanceFactory
) -> None:
    """Sessions may hold a pooled connection while they wait for SQLite's write slot; an
    appender that held the slot while it waited for a connection could wait for them."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL appends take no write slot")
    from evodash.core.locking import sqlite_write_slot
    from evodash.webhooks.receiver import Appender

    hooked = await instances.create("acme-support")
    appender = Appender(lambda: db, on_commit=lambda: None, on_gone=lambda _: None)
    try:
        async with sqlite_write_slot(engine):
            pending = asyncio.create_task(appender.append(_row(hooked.id, 1, datetime.now(UTC))))
            await asyncio.sleep(0.05)
            writer = appender._writer_of
            assert writer is not None and writer._driver is not None  # before the slot
            assert not pending.done()
        assert await pending > 0
    finally:
        await appender.close()


async def test_an_append_while_the_appender_closes_keeps_no_connection(
    engine: AsyncEngine, db: async_sessionmaker[AsyncSession], instances: InstanceFactory
) -> None:
    """A write that starts while ``close`` gives the writer's connection back (a test's
    settle beside other requests; a request at shutdown) gets a writer of its own, which
    the next ``close`` closes: no connection is left out of the pool for the garbage
    collector to find (it was, once in a few runs of the concurrency test)."""
    from evodash.webhooks.receiver import Appender

    hooked = await instances.create("acme-support")
    appender = Appender(lambda: db, on_commit=lambda: None, on_gone=lambda _: None)
    now = datetime.now(UTC)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = await appender.append(_row(hooked.id, 1, now))
        closing = asyncio.create_task(appender.close())
        await asyncio.sleep(0)  # the close now waits for the connection to be given back
        second = await appender.append(_row(hooked.id, 2, now))
        await closing
        await appender.close()
        gc.collect()  # a writer dropped with its connection: SQLAlchemy warns here
    assert [str(w.message) for w in caught if "non-checked-in" in str(w.message)] == []
    assert engine.pool.checkedout() == 0
    assert [r.id for r in await _stored(db)] == [first, second]


async def test_an_event_is_stored_while_the_applier_holds_its_instance(
    engine: AsyncEngine, db: async_sessionmaker[AsyncSession], instances: InstanceFactory
) -> None:
    """PostgreSQL: the applier's lock on the instance row does not hold back the inbox
    rows that name it (their foreign key check), so acknowledgements never wait for a
    batch to commit."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: appends wait for the write lock by design")
    from evodash.webhooks.applier import _lock_instances

    hooked = await instances.create("acme-support")
    writer = InboxWriter(engine)
    try:
        async with db() as applying:
            assert hooked.id in await _lock_instances(applying, [hooked.id])
            async with asyncio.timeout(5):  # with FOR UPDATE it waited for the commit
                [event_id] = await writer.append([_row(hooked.id, 1, datetime.now(UTC))])
            await applying.commit()
    finally:
        await writer.close()
    assert [r.id for r in await _stored(db)] == [event_id]
