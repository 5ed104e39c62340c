"""Appending to the inbox through the database driver: one round trip per group commit.

The receiver's group commit is the hottest write evodash makes (every webhook goes
through it, thousands a second). Through an ORM session a group costs a session, a
connection checkout, ``BEGIN``, the INSERT's compilation and per-row processing,
``COMMIT`` and the connection's reset, each a round trip to the driver (on SQLite a hop
to aiosqlite's thread and back): about half a millisecond of CPU before the first row.
:class:`InboxWriter` keeps one connection for the appender and writes a group in a
single call:

* SQLite: in aiosqlite's thread, ``BEGIN IMMEDIATE``, one ``executemany``,
  ``last_insert_rowid()`` and ``COMMIT``. Under the write lock the rows get consecutive
  ids (``INTEGER PRIMARY KEY``: the largest id plus one, row after row), so the last id
  names them all. The caller holds the process's asyncio write slot
  (:func:`evodash.core.locking.sqlite_write_slot`): the appender takes it before it takes
  its group, so that requests that waited for an applier batch share the next commit.
* PostgreSQL: one ``INSERT … SELECT … FROM unnest(…) WITH ORDINALITY ORDER BY`` with a
  ``RETURNING id``, outside any transaction block (the statement commits on its own, and
  is durable when it returns). The ids come from one sequence in the rows' order.

Values are written as the ORM writes them (the body through the column's JSON
serializer; ``received_at`` in UTC, on SQLite as the text SQLAlchemy stores, made here
directly: its generic processor costs more than the rest of the row), so a row reads
back exactly as one the ORM wrote. A group that fails is
rolled back whole and the connection is dropped; the caller decides what to answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from evodash.core.db import unnest_insert
from evodash.webhooks.models import WebhookEvent

_TABLE = WebhookEvent.__table__
assert isinstance(_TABLE, Table)
#: The columns the receiver writes, in this order.
COLUMNS = ("instance_id", "event", "instance_name", "body", "status", "attempts", "received_at")
_SQLITE_INSERT = (
    f"INSERT INTO webhook_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
)
_PG_TYPES = ("bigint", "text", "text", "json", "text", "integer", "timestamptz")
_PG_INSERT = unnest_insert(
    "webhook_event",
    list(zip(COLUMNS, _PG_TYPES, strict=True)),
    param=lambda n: f"${n + 1}",
    tail="RETURNING id",
)


class InboxWriteFailed(Exception):
    """The group was not stored (rolled back). ``integrity``: a constraint refused a row
    (an instance deleted after its secret was checked); anything else: the database."""

    def __init__(self, cause: BaseException, *, integrity: bool) -> None:
        super().__init__(str(cause))
        self.integrity = integrity


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def _sqlite_timestamp(value: datetime) -> str:
    """What ``UTCDateTime`` stores on SQLite: naive UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    return _utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_append(connection: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> int:
    """In aiosqlite's thread: the group in one transaction; the last row's id."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.executemany(_SQLITE_INSERT, rows)
        (last,) = connection.execute("SELECT last_insert_rowid()").fetchone()
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return int(last)


class InboxWriter:
    """One driver connection of ``engine`` for the appender (opened at the first write,
    reopened after a failure). Not for concurrent use: the appender writes one group at
    a time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        processors: list[Callable[[Any], Any] | None] = []
        for name in COLUMNS:
            column_type = _TABLE.c[name].type
            processors.append(column_type._cached_bind_processor(engine.dialect))
        processors[COLUMNS.index("received_at")] = (
            _sqlite_timestamp if self.dialect == "sqlite" else _utc
        )
        self._named = list(zip(COLUMNS, processors, strict=True))

    def _values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            [
                process(row[name]) if process is not None else row[name]
                for name, process in self._named
            ]
        )

    async def open(self) -> None:
        """Check out the connection now (the appender does before it takes SQLite's write
        slot: waiting for a pooled connection while holding the slot could wait for the
        sessions that hold the connections, each waiting for the slot)."""
        try:
            await self._open()
        except Exception as exc:
            await self._drop()
            raise InboxWriteFailed(exc, integrity=False) from exc

    async def _open(self) -> Any:
        if self._driver is None:
            self._connection = await self.engine.connect()
            raw = await self._connection.get_raw_connection()
            self._driver = raw.driver_connection
        return self._driver

    async def close(self) -> None:
        connection, self._connection, self._driver = self._connection, None, None
        if connection is not None:
            await connection.close()

    async def _drop(self) -> None:
        connection, self._connection, self._driver = self._connection, None, None
        if connection is not None:
            try:
                await connection.invalidate()
            finally:
                await connection.close()

    async def append(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Store ``rows`` in one commit; their ids, in the rows' order. On SQLite the
        caller holds the process's write slot (:func:`evodash.core.locking.sqlite_write_slot`)."""
        values = [self._values(row) for row in rows]
        try:
            driver = await self._open()
            if self.dialect == "sqlite":
                # aiosqlite's way to run a function in its thread: one hop for all.
                last = await driver._execute(_sqlite_append, driver._conn, values)
                return list(range(last - len(values) + 1, last + 1))
            columns = [list(column) for column in zip(*values, strict=True)]
            records = await driver.fetch(_PG_INSERT, *columns)
            return sorted(record[0] for record in records)
        except Exception as exc:
            await self._drop()
            raise InboxWriteFailed(exc, integrity=_is_integrity_error(exc)) from exc


def _is_integrity_error(exc: BaseException) -> bool:
    """A constraint refused a row: sqlite3's ``IntegrityError``, or a PostgreSQL error of
    SQLSTATE class 23 (asyncpg's errors carry their ``sqlstate``)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    return str(getattr(exc, "sqlstate", "") or "").startswith("23")
