"""The periodic background sync, and the app lifespan that starts and stops it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.scheduler import Scheduler, SingleProcess
from evodash.core.services import Services
from evodash.instances.models import InstanceStatus
from evodash.realtime.bus import InProcessBus
from evodash.schedule import PERIODIC_TASKS
from tests import loopback
from tests.conftest import AppRunner
from tests.instances.helpers import add_instances, add_server, events_of, get_row
from tests.simulator_server import RunningSimulator


async def _wait_for(predicate: object, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


# The periodic sync opens sessions of its own in the background: real commits.
pytestmark = pytest.mark.commits


@asynccontextmanager
async def scheduled(
    db: async_sessionmaker[AsyncSession], settings: Settings, http: httpx.AsyncClient
) -> AsyncIterator[Scheduler]:
    """The schedule's status sync alone, running until the block ends."""
    services = Services(settings, db.kw["bind"], db, http, InProcessBus())
    [sync_task] = [t for t in PERIODIC_TASKS if t.name == "status_sync"]
    scheduler = Scheduler(services, [sync_task], SingleProcess())
    scheduler.start()
    try:
        yield scheduler
    finally:
        await scheduler.stop(grace=5)


class TestScheduledSync:
    async def test_syncs_every_interval_until_stopped(
        self,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
    ) -> None:
        server = await add_server(
            db, settings, running_simulator.base_url, running_simulator.api_key
        )
        [row] = await add_instances(db, server, status=InstanceStatus.open, prefix="periodic")
        await running_simulator.create_instance(row.name)  # state "close" on Evolution
        periodic = settings.model_copy(update={"status_sync_interval_seconds": 0.05})
        async with loopback.client() as http, scheduled(db, periodic, http) as scheduler:

            async def synced() -> bool:
                return (await get_row(db, row.id)).last_status_sync_at is not None

            await _wait_for(synced)
            first = (await get_row(db, row.id)).last_status_sync_at
            assert (await get_row(db, row.id)).status == "close"

            async def synced_again() -> bool:
                return (await get_row(db, row.id)).last_status_sync_at != first

            await _wait_for(synced_again, within=5)
        assert scheduler.rounds["status_sync"] >= 2
        assert await events_of(db, row.id) == ["close"]

    async def test_interval_zero_is_off(
        self, db: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        off = settings.model_copy(update={"status_sync_interval_seconds": 0})
        async with loopback.client() as http, scheduled(db, off, http) as scheduler:
            assert scheduler.tasks == []
        assert scheduler.rounds == {}

    async def test_a_failing_round_does_not_end_the_loop(
        self,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from evodash.instances import sync

        calls = 0

        async def broken(*args: object, **kwargs: object) -> object:
            nonlocal calls
            calls += 1
            raise RuntimeError("database went away")

        monkeypatch.setattr(sync, "sync_all_once", broken)
        periodic = settings.model_copy(update={"status_sync_interval_seconds": 0.01})
        async with loopback.client() as http, scheduled(db, periodic, http) as scheduler:

            async def failed_twice() -> bool:
                return calls >= 2

            await _wait_for(failed_twice)
        assert scheduler.rounds["status_sync"] >= 2


class TestLifespan:
    async def test_the_app_runs_the_periodic_sync_and_stops_it(
        self,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
        run_app: AppRunner,
    ) -> None:
        server = await add_server(
            db, settings, running_simulator.base_url, running_simulator.api_key
        )
        [row] = await add_instances(db, server, status=InstanceStatus.open, prefix="boot")
        await running_simulator.create_instance(row.name)
        every_minute = {"status_sync_interval_seconds": 60, "background_tasks": True}
        async with run_app(settings.model_copy(update=every_minute)) as app:

            async def synced() -> bool:
                return (await get_row(db, row.id)).status == "close"

            await _wait_for(synced)
            scheduler: Scheduler = app.state.scheduler
            assert scheduler.leader  # SQLite or PostgreSQL: the only process leads
        # Leaving the block ran the shutdown (asgi-lifespan gives it 30 s): the 60 s wait
        # was cut short, and the leadership was given back.
        assert not scheduler.leader
        assert scheduler.rounds["status_sync"] == 1
