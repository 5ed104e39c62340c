"""Database plumbing: the declarative base, column types, engine and sessions.

One transaction per request: the session dependency commits once, after the endpoint
returned and before the response is sent (``Depends(scope="function")``). Services only
``flush()``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from evodash.core import sqlite_driver

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")
#: A JSON document stored as it was written and read back whole, never searched inside
#: by SQL: an event's body, a message's raw payload. PostgreSQL's ``json`` checks the
#: text and keeps it; ``jsonb`` parses it into a tree of its own at every insert, which
#: cost as much of the server's time as the rest of the row (``bench/webhook_ingest.py``;
#: "Webhook ingest, fourteenth machine" in docs/benchmarks.md).
StoredJSON = JSON()
# SQLite only auto-increments INTEGER PRIMARY KEY columns.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


def unnest_insert(
    table: str, columns: Sequence[tuple[str, str]], *, param: Callable[[int], str], tail: str
) -> str:
    """PostgreSQL: ``INSERT INTO table … SELECT … FROM unnest(…)`` of one array per column
    (``(name, element type)``; a ``json`` or ``jsonb`` column is sent as text and cast
    element by element), then ``tail`` (``ON CONFLICT …``, ``RETURNING …``).
    ``param(n)`` names the n-th parameter (``$1`` for the driver, ``:c0`` for ``text()``).

    Its text is the same for any number of rows, so the driver prepares it once per
    connection (a multi-row ``VALUES`` has a text, so a prepared statement, per row count),
    and the rows are inserted in the arrays' order (their ids follow it)."""
    arrays, selected = [], []
    for n, (_, kind) in enumerate(columns):
        document = kind in ("json", "jsonb")
        arrays.append(f"CAST({param(n)} AS {'text' if document else kind}[])")
        selected.append(f"c{n}::{kind}" if document else f"c{n}")
    aliases = ", ".join(f"c{n}" for n in range(len(columns)))
    return (
        f"INSERT INTO {table} ({', '.join(name for name, _ in columns)}) "
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) "
        f"WITH ORDINALITY AS t({aliases}, o) ORDER BY o {tail}"
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[str]: JSONType,
        list[int]: JSONType,
    }


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def json_dumps(value: Any) -> str:
    """JSON columns are written with orjson (several times faster than ``json``)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson refuses (a lone surrogate…): the standard encoder
        return json.dumps(value)


def json_loads(value: str | bytes) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:  # NaN written by the standard encoder before
        return json.loads(value)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine with the right settings for SQLite or PostgreSQL."""
    kwargs: dict[str, Any] = {"echo": echo, "json_serializer": json_dumps}
    kwargs["json_deserializer"] = json_loads
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
        if url.startswith("sqlite+aiosqlite"):
            kwargs["module"] = sqlite_driver.dbapi()  # one thread hop per statement
        if ":memory:" in url:
            kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def standalone_sessions(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on an engine of their own, disposed when the block ends: for a command
    that runs outside the app (``evodash createsuperuser``, ``purge``, ``backup``…)."""
    engine = create_engine(url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def end_reads(session: AsyncSession) -> None:
    """End ``session``'s transaction before a remote call, so that nothing is held while
    the other side answers (a pooled connection and its snapshot; on SQLite the write
    lock). Only reads may have happened in it: committing changes nothing, and the loaded
    objects stay as they are (``expire_on_commit=False``). The next statement begins a new
    transaction, still committed once by the request."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reads() with writes pending: they would be committed early")
    if session.in_transaction():
        await session.commit()


@asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session committed when the block succeeds, rolled back on any error.

    A context manager, never iterated: an exception raised in the block must reach it
    here, at once. (A generator abandoned in an ``async for`` is only closed later by the
    event loop's finaliser: the rollback, and the connection's return to the pool, would
    happen after the answer was sent.)
    """
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
