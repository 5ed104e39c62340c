"""SQLAlchemy's aiosqlite adapter with one trip to aiosqlite's thread per statement.

aiosqlite runs every sqlite3 call in a thread of its own; each call is a trip there and
back (a queue put, a thread wake-up, a future resolved through the event loop's
self-pipe). SQLAlchemy's adapter makes four trips per statement: open a cursor, execute,
fetch all rows, close the cursor. The webhook applier runs a dozen statements per batch,
and with several hundred batches a second those trips were a third of its CPU, spent
switching threads and the GIL.

:class:`OneHopCursor` does the same work in one trip: a function run in aiosqlite's thread
opens a sqlite3 cursor, executes, reads the description, the rows, ``rowcount`` and
``lastrowid``, and closes the cursor; the adapter keeps what it returned. The rows are
buffered exactly as SQLAlchemy's adapter buffers them (it always fetches everything
after an execute), so results, errors and transactions behave the same. Server-side
cursors (``stream()``) keep SQLAlchemy's own class.

Used through :func:`evodash.core.db.create_engine` (``module=``): the URL stays
``sqlite+aiosqlite://`` and nothing else changes. It relies on aiosqlite's
``Connection._execute(fn, *args)``, the way aiosqlite itself runs each call in its
thread (``tests/core/test_sqlite_driver.py`` pins what it must do).
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from threading import Thread
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

#: What one trip brings back: description, rows, rowcount, lastrowid.
_Outcome = tuple[Any, list[Any], int, int | None]


def _execute(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Any] | None
) -> _Outcome:
    """In aiosqlite's thread: the whole statement, its rows and counters."""
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _executemany(
    connection: sqlite3.Connection, operation: str, seq_of_parameters: Sequence[Any]
) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, seq_of_parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statements each cost one trip to aiosqlite's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor: each statement opens (and closes) its own sqlite3 one.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def _keep(self, outcome: _Outcome) -> None:
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            driver = self._connection
            self._keep(await driver._execute(_execute, driver._conn, operation, parameters))
        return None

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            driver = self._connection
            outcome = await driver._execute(
                _executemany, driver._conn, operation, seq_of_parameters
            )
            self._keep(outcome)
        return None

    async def _async_soft_close(self) -> None:
        return None  # nothing is open between statements

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor  # type: ignore[assignment]  # a subclass: mypy reads the base's as exact


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module SQLAlchemy's aiosqlite dialect uses, making
    :class:`OneHopConnection`s (passed as ``create_async_engine(module=...)``)."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        creator_fn = kw.pop("async_creator_fn", None)
        connection = creator_fn(*arg, **kw) if creator_fn else self.aiosqlite.connect(*arg, **kw)
        thread = connection if isinstance(connection, Thread) else connection._thread
        thread.daemon = True  # as SQLAlchemy's: an unclosed connection never blocks exit
        return OneHopConnection(self, await_(connection))


def dbapi() -> OneHopDBAPI:
    import aiosqlite

    return OneHopDBAPI(aiosqlite, sqlite3)
