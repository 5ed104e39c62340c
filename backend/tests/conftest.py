"""Test fixtures shared by every test package.

The schema is built by migrating (never ``create_all``), once per test process, on SQLite,
and also on PostgreSQL when ``TEST_DATABASE_URL`` is set: every test that uses a database
then runs on both (each pytest-xdist worker gets a PostgreSQL database of its own, named
after the worker).

Each test runs inside one database transaction that is rolled back when it ends: the
test's sessions and the app's request sessions share that connection, and their commits
only release savepoints. Tests that need real commits (several connections or processes,
real concurrency, a server or worker started in the background) mark themselves
``@pytest.mark.commits``: they run on the real engine, on tables emptied before and after.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import create_engine, create_sessionmaker
from evodash.core.migrate import upgrade
from evodash.core.security import configure_password_hashing
from evodash.main import create_app
from evodash.models import Base
from evodash.realtime import with_bus
from tests import loopback, route_analysis_cache
from tests.factories import UserFactory

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
COMMITS = "commits"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{COMMITS}: the test commits for real (several connections or processes, real "
        "concurrency, background work); it runs on emptied tables instead of a rolled-back "
        "transaction",
    )


# Factories hash passwords before any app exists: use the cheap test parameters from the start.
configure_password_hashing("test")
# Every test builds its own app: FastAPI's analysis of the routes is done once per process.
route_analysis_cache.install()


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


def _worker_database(url: str, worker: str) -> str:
    """A fresh PostgreSQL database for this xdist worker, beside the one configured."""
    base = make_url(url)
    name = f"{base.database}_{worker}"

    async def recreate() -> None:
        engine = create_engine(base.render_as_string(hide_password=False))
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(recreate())
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    async def drop() -> None:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(drop())


#: The databases the tests that use one run on: SQLite always, and PostgreSQL as well when
#: TEST_DATABASE_URL is set (CI). One run for both instead of a pass each: the workers
#: start and collect once, and the engines share one tail of the schedule.
DATABASES = ["sqlite", *(["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])]


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated database of this process for the test's engine (the test's id names
    it: ``test_x[sqlite]``, ``test_x[postgresql]``)."""
    if request.param == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:
            url = _worker_database(url, worker)
        else:
            _in_thread(lambda: _reset_postgres(url))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    final = url
    _in_thread(lambda: upgrade(final))
    return final


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def base_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings every test starts from, validated once per process (building
    ``Settings`` reads the environment and validates 78 fields: 3 ms, for every test)."""
    unused = tmp_path_factory.mktemp("unused")
    return Settings(
        _env_file=None,
        environment="test",
        database_url=database_url,
        data_dir=unused / "data",
        media_root=unused / "media",
        secret_key=TEST_SECRET,
        bootstrap_admin=False,
        embedded_worker=False,
        background_tasks=False,
        status_sync_interval_seconds=0,
        frontend_dist=unused / "no-dist",
        log_format="console",
        log_level="WARNING",
        evolution_timeout_seconds=5,
        evolution_connect_timeout_seconds=2,
    )


@pytest.fixture
def settings(base_settings: Settings, tmp_path: Path) -> Settings:
    """A test's own settings: folders of its own, nothing shared (a deep copy: tests change
    their app's settings in place)."""
    return base_settings.model_copy(
        update={
            "data_dir": tmp_path / "data",
            "media_root": tmp_path / "media",
            "frontend_dist": tmp_path / "no-dist",
        },
        deep=True,
    )


def _sqlite_savepoints(engine: AsyncEngine) -> None:
    # pysqlite begins transactions itself, lazily, and so breaks SAVEPOINT; let SQLAlchemy
    # emit BEGIN instead (the recipe of SQLAlchemy's SQLite dialect documentation).
    @event.listens_for(engine.sync_engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine set up exactly as the app's (the one ``commits`` tests use)."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def rollback_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The engine of the rolled-back test transactions (SQLite needs real SAVEPOINTs)."""
    engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":
        _sqlite_savepoints(engine)
    yield engine
    await engine.dispose()


async def _empty_tables(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        # DELETE, not TRUNCATE: on a handful of small tables it is many times faster.
        for table in tables:
            await conn.execute(text(f'DELETE FROM "{table}"'))


def commits(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker(COMMITS) is not None


@pytest.fixture
async def db(
    request: pytest.FixtureRequest, engine: AsyncEngine, rollback_engine: AsyncEngine
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The sessionmaker of this test: inside its rolled-back transaction, or (for
    ``@pytest.mark.commits`` tests) on the real engine with emptied tables."""
    if commits(request):
        await _empty_tables(engine)
        yield create_sessionmaker(engine)
        await _empty_tables(engine)
        return
    async with rollback_engine.connect() as conn:
        outer = await conn.begin()
        yield async_sessionmaker(
            bind=conn,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        await outer.rollback()


@pytest.fixture
async def session(db: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with db() as session:
        yield session


AppRunner = Callable[[Settings], AbstractAsyncContextManager[FastAPI]]


@pytest.fixture
def run_app(
    request: pytest.FixtureRequest,
    db: async_sessionmaker[AsyncSession],
) -> AppRunner:
    """Start an app with the given settings (lifespan included) for a block of the test."""

    @asynccontextmanager
    async def running(settings: Settings) -> AsyncIterator[FastAPI]:
        application = create_app(settings)
        application.dependency_overrides = route_analysis_cache.NoOverrides()
        async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
            if not commits(request):
                # Requests join the test's transaction (and publish on the app's bus).
                application.state.sessionmaker = with_bus(db, application.state.bus)
            yield application

    return running


@pytest.fixture
async def app(settings: Settings, run_app: AppRunner) -> AsyncIterator[FastAPI]:
    async with run_app(settings) as application:
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with loopback.client(transport=transport, base_url="http://testserver") as c:
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
