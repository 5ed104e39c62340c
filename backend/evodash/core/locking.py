"""One writer at a time on SQLite, queued in asyncio instead of in SQLite's busy handler.

SQLite lets one transaction write at a time; the others wait in its busy handler, which
sleeps in growing steps (up to 100 ms) and leaves the database idle between writers. With
hundreds of webhooks arriving together that idle time dominates. Queuing writers on an
asyncio lock held until the transaction ends keeps the writes back to back. PostgreSQL
needs none of this: :func:`hold_sqlite_writer` does nothing there.

The slot also serializes read-modify-write of a row on SQLite (a state change decided
from a status read before the slot was taken could be stale); on PostgreSQL the same
guarantee comes from ``SELECT … FOR UPDATE`` (see ``InstanceRepository.lock_live``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

_HELD = "evodash_sqlite_writer"
_locks: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


async def hold_sqlite_writer(session: AsyncSession) -> None:
    """Wait for the write slot; it is released when the session's transaction ends."""
    bind: Any = session.get_bind()
    engine = getattr(bind, "engine", bind)
    if engine.dialect.name != "sqlite":
        return
    sync = session.sync_session
    if _HELD in sync.info:
        return
    lock = _locks.setdefault(engine, asyncio.Lock())
    await lock.acquire()
    sync.info[_HELD] = lock


@asynccontextmanager
async def sqlite_write_slot(engine: AsyncEngine) -> AsyncIterator[None]:
    """The same write slot for a write made below the ORM (a driver connection whose
    transaction begins and ends inside the block); nothing on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        yield
        return
    lock = _locks.setdefault(engine.sync_engine, asyncio.Lock())
    async with lock:
        yield


@event.listens_for(Session, "after_transaction_end")
def _release(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        lock = session.info.pop(_HELD, None)
        if lock is not None:
            lock.release()


async def begin_write(session: AsyncSession) -> None:
    """Take the write slot for ``session``'s transaction. On SQLite also open the
    transaction now (``BEGIN IMMEDIATE``) unless the driver has one: Python's sqlite3
    starts one only before the first INSERT/UPDATE/DELETE, so a SAVEPOINT issued before
    that would open (and on RELEASE commit) a transaction of its own."""
    await hold_sqlite_writer(session)
    connection = await session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = await connection.get_raw_connection()
    if not getattr(raw.driver_connection, "in_transaction", True):
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
