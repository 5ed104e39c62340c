"""The relay destinations migration moves every ``forward_url`` into a destination (and
the instance's attempts with it), on SQLite and on PostgreSQL, and back on downgrade."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from evodash.core.db import create_engine
from evodash.core.migrate import alembic_config, upgrade

BEFORE = "7b2d4e6f8a10"
AFTER = "c3f1a9d2b7e4"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
HOOK = "https://n8n.example.com/webhook/abc?token=1"


def _run(url: str, statements: list[tuple[str, dict[str, Any]]]) -> list[list[Any]]:
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


def _columns(url: str, table: str) -> set[str]:
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


def test_forward_urls_become_destinations_and_come_back(empty_database: str) -> None:
    url = empty_database
    upgrade(url, BEFORE)
    _run(
        url,
        [
            (
                "INSERT INTO evolution_server (id, name, base_url, api_key_encrypted, "
                "api_key_last4, created_at, updated_at) VALUES (1, 's', 'http://e', 'k', "
                "'k', :now, :now)",
                {"now": NOW},
            ),
            *[
                (
                    "INSERT INTO evolution_instance (id, server_id, display_name, name, status, "
                    "webhook_events, allowed_numbers, reply_with_summary, forward_url, "
                    "created_at, updated_at) VALUES (:id, 1, :name, :name, 'open', '[]', '[]', "
                    "FALSE, :fwd, :now, :now)",
                    {"id": i, "name": f"inst-{i}", "fwd": fwd, "now": NOW},
                )
                for i, fwd in ((1, HOOK), (2, None), (3, ""))
            ],
            (
                "INSERT INTO webhook_event (id, instance_id, event, body, status, attempts, "
                "received_at) VALUES (1, 1, 'messages.upsert', '{}', 'processed', 1, :now)",
                {"now": NOW},
            ),
            (
                "INSERT INTO webhook_delivery (id, event_id, instance_id, url, attempt, "
                "status, created_at) VALUES (1, 1, 1, :url, 1, 'failed', :now)",
                {"url": HOOK, "now": NOW},
            ),
        ],
    )

    upgrade(url, AFTER)
    destinations, deliveries = _run(
        url,
        [
            (
                "SELECT id, instance_id, name, url, max_attempts, retry_base_seconds, enabled "
                "FROM forward_destination ORDER BY id",
                {},
            ),
            ("SELECT id, destination_id FROM webhook_delivery", {}),
        ],
    )
    [(dest_id, instance_id, name, dest_url, attempts, base, enabled)] = destinations
    assert (instance_id, name, dest_url, attempts, base, bool(enabled)) == (
        1,
        "forward_url",
        HOOK,
        5,
        5.0,
        True,
    )
    assert deliveries == [(1, dest_id)]  # its retries go to the destination
    assert "forward_url" not in _columns(url, "evolution_instance")
    [[(events,)]] = _run(url, [("SELECT events FROM forward_destination", {})])
    assert events in ([], "[]")  # every event, as before

    command.downgrade(alembic_config(url), BEFORE)
    [rows] = _run(url, [("SELECT id, forward_url FROM evolution_instance ORDER BY id", {})])
    assert rows == [(1, HOOK), (2, None), (3, None)]
    assert "destination_id" not in _columns(url, "webhook_delivery")
    upgrade(url, "head")  # and forward again
