"""The SQLite driver adapter: one trip to aiosqlite's thread per statement, and results,
counters and errors exactly as SQLAlchemy's own adapter gives them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from evodash.core.db import create_engine
from evodash.core.sqlite_driver import OneHopCursor


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


class Trips:
    """Counts the functions queued to aiosqlite's thread by one connection."""

    def __init__(self, driver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        queue = driver._execute

        async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.names.append(getattr(fn, "__name__", repr(fn)))
            return await queue(fn, *args, **kwargs)

        monkeypatch.setattr(driver, "_execute", counted)


async def test_the_app_engine_uses_one_trip_per_statement(
    sqlite: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection.cursor(), OneHopCursor)  # type: ignore[union-attr]
        trips = Trips(raw.driver_connection, monkeypatch)
        await conn.execute(text("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')"))
        rows = (await conn.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
        await conn.commit()
        # an INSERT, a SELECT with its rows, and the COMMIT: three trips (SQLAlchemy's own
        # adapter made four per statement: cursor, execute, fetchall, close)
        assert trips.names == ["_execute", "_execute", "commit"]
    assert [tuple(r) for r in rows] == [(1, "a"), (2, "b"), (3, "c")]


async def test_counters_returning_and_executemany(sqlite: AsyncEngine) -> None:
    async with sqlite.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('x')"))
        assert inserted.rowcount == 1
        assert inserted.lastrowid == 1
        many = await conn.execute(
            text("INSERT INTO t (name) VALUES (:n)"), [{"n": "y"}, {"n": "z"}]
        )
        assert many.rowcount == 2
        returned = await conn.execute(
            text("UPDATE t SET name = name || '!' WHERE name <> 'x' RETURNING id, name")
        )
        assert sorted(tuple(r) for r in returned.all()) == [(2, "y!"), (3, "z!")]
        deleted = await conn.execute(text("DELETE FROM t WHERE id > 1"))
        assert deleted.rowcount == 2
        keys = (await conn.execute(text("SELECT id AS ident, name FROM t"))).keys()
        assert list(keys) == ["ident", "name"]


async def test_errors_are_sqlalchemy_errors_and_roll_back(sqlite: AsyncEngine) -> None:
    async with sqlite.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('dup')"))
        with pytest.raises(IntegrityError):
            await conn.execute(text("INSERT INTO t (name) VALUES ('dup')"))
        await conn.rollback()
        with pytest.raises(OperationalError, match="no such table"):
            await conn.execute(text("SELECT * FROM nowhere"))
        await conn.rollback()
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_streaming_keeps_a_server_side_cursor(sqlite: AsyncEngine) -> None:
    async with sqlite.begin() as conn:
        await conn.execute(
            text("INSERT INTO t (name) VALUES (:n)"), [{"n": str(i)} for i in range(50)]
        )
    async with sqlite.connect() as conn:
        result = await conn.stream(text("SELECT name FROM t ORDER BY id"))
        names = [row[0] async for row in result]
    assert names == [str(i) for i in range(50)]
