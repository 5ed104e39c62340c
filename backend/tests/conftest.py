"""Test fixtures shared by every test package.

The schema is built by migrating (never ``create_all``), once per run, on SQLite by
default and on PostgreSQL when ``TEST_DATABASE_URL`` is set. Each test starts from empty
tables, so tests may commit freely (the webhook and job tests need real commits).
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import create_engine, create_sessionmaker
from evodash.core.migrate import upgrade
from evodash.core.security import configure_password_hashing
from evodash.main import create_app
from evodash.models import Base
from tests.factories import UserFactory

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

# Factories hash passwords before any app exists: use the cheap test parameters from the start.
configure_password_hashing("test")


def _in_thread(fn: Callable[[], None]) -> None:
    # Alembic's env.py calls asyncio.run(); keep it off the test event loop's thread.
    errors: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _reset_postgres(url: str) -> None:
    import asyncio

    async def drop() -> None:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(drop())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _in_thread(lambda: _reset_postgres(url))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    _in_thread(lambda: upgrade(url))
    return url


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        environment="test",
        database_url=database_url,
        data_dir=tmp_path / "data",
        media_root=tmp_path / "media",
        secret_key=TEST_SECRET,
        bootstrap_admin=False,
        embedded_worker=False,
        status_sync_interval_seconds=0,
        frontend_dist=tmp_path / "no-dist",
        log_format="console",
        log_level="WARNING",
        evolution_timeout_seconds=5,
        evolution_connect_timeout_seconds=2,
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def _empty_tables(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A sessionmaker on empty tables."""
    await _empty_tables(engine)
    yield create_sessionmaker(engine)


@pytest.fixture
async def session(db: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with db() as session:
        yield session


@pytest.fixture
async def app(settings: Settings, db: async_sessionmaker[AsyncSession]) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def users(db: async_sessionmaker[AsyncSession]) -> UserFactory:
    return UserFactory(db)


@pytest.fixture
def as_user(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> Callable[..., Awaitable[dict[str, str]]]:
    """Bearer headers for a user created with the given role (a real session row)."""
    from datetime import timedelta

    from evodash.auth.sessions import bearer_token_for

    async def headers_for(user: Any) -> dict[str, str]:
        token = await bearer_token_for(db, user.id, settings, expires_in=timedelta(minutes=5))
        return {"Authorization": f"Bearer {token}"}

    return headers_for
