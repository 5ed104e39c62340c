"""A database of its own for migration tests (never the tests' shared one), and SQL run
on it outside any session."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from evodash.core.db import create_engine


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


def columns_of(url: str, table: str) -> set[str]:
    async def go() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: {c["name"] for c in inspect(sync).get_columns(table)}
                )
        finally:
            await engine.dispose()

    return asyncio.run(go())


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
