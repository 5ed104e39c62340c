"""A database of its own for migration tests (never the tests' shared one), and SQL run
on it outside any session."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Inspector, make_url

from evodash.core.db import create_engine

T = TypeVar("T")


def run_sql(url: str, statements: list[tuple[str, dict[str, Any]]]) -> list[list[Any]]:
    async def go() -> list[list[Any]]:
        engine = create_engine(url)
        results: list[list[Any]] = []
        try:
            async with engine.begin() as conn:
                for sql, params in statements:
                    result = await conn.execute(text(sql), params)
                    results.append([tuple(r) for r in result] if result.returns_rows else [])
        finally:
            await engine.dispose()
        return results

    return asyncio.run(go())


def _inspected(url: str, read: Callable[[Inspector], T]) -> T:
    """What ``read`` finds with an inspector of the database at ``url``."""

    async def go() -> T:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(lambda sync: read(inspect(sync)))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def columns_of(url: str, table: str) -> set[str]:
    return _inspected(url, lambda i: {c["name"] for c in i.get_columns(table)})


def indexes_of(url: str, table: str) -> dict[str, list[str]]:
    """Each index of ``table`` by name: its columns, in order."""
    return _inspected(
        url,
        lambda i: {
            str(x["name"]): [str(c) for c in x["column_names"]] for x in i.get_indexes(table)
        },
    )


def server_row(now: datetime) -> tuple[str, dict[str, Any]]:
    """The INSERT of server 1 (placeholders for its URL and key), for ``run_sql``."""
    return (
        "INSERT INTO evolution_server (id, name, base_url, api_key_encrypted, api_key_last4, "
        "created_at, updated_at) VALUES (1, 's', 'http://e', 'k', 'k', :now, :now)",
        {"now": now},
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own (never the tests' one), at no revision."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migration.db'}"
        return
    configured = os.environ.get("TEST_DATABASE_URL")
    if not configured:
        pytest.skip("TEST_DATABASE_URL is not set")
    base = make_url(configured)
    name = f"{base.database}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_migration"
    admin = base.render_as_string(hide_password=False)

    async def recreate(create: bool) -> None:
        engine = create_engine(admin)
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(recreate(True))
    yield base.set(database=name).render_as_string(hide_password=False)
    asyncio.run(recreate(False))
