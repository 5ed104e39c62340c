"""The scheduler: each periodic task once per interval across processes, one leader."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from evodash.core.config import Settings
from evodash.core.db import create_engine, create_sessionmaker
from evodash.core.scheduler import (
    LEADER_KEY,
    LOCK_NAMESPACE,
    PostgresLeadership,
    Scheduler,
    SingleProcess,
    periodic,
)
from evodash.core.services import Services
from evodash.realtime.bus import InProcessBus
from tests import loopback

# Schedulers open connections of their own: real commits.
pytestmark = pytest.mark.commits


async def eventually(check: Callable[[], bool], what: str, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback.client() as client:
        yield client


def services_on(engine: AsyncEngine, settings: Settings, http: httpx.AsyncClient) -> Services:
    return Services(settings, engine, create_sessionmaker(engine), http, InProcessBus())


class Counter:
    def __init__(self, seconds: float = 0.0) -> None:
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self.seconds = seconds

    async def __call__(self, services: Services) -> None:
        self.calls += 1
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.running -= 1


async def test_single_process_runs_each_task_every_interval_without_overlap(
    engine: AsyncEngine, settings: Settings, http: httpx.AsyncClient
) -> None:
    quick, slow = Counter(), Counter(seconds=0.2)  # slow: longer than its interval
    later = Counter()
    scheduler = Scheduler(
        services_on(engine, settings, http),
        [
            periodic("quick", every=0.02, run=quick),
            periodic("slow", every=0.02, run=slow),
            periodic("later", every=3600, run=later, at_start=False),
            periodic("off", every=lambda s: s.status_sync_interval_seconds, run=Counter()),
        ],
        SingleProcess(),
    )
    assert [t.name for t, _ in scheduler.tasks] == ["quick", "slow", "later"]  # 0 s: off
    scheduler.start()
    await eventually(lambda: quick.calls >= 5 and slow.calls >= 2, "rounds")
    await scheduler.stop(grace=5)
    assert slow.most_at_once == 1  # a round never overlaps the previous one
    assert slow.running == 0  # stopping let the round in progress finish
    assert later.calls == 0  # at_start=False: one interval after becoming the leader
    assert scheduler.rounds["quick"] == quick.calls


async def test_a_failing_task_is_logged_and_keeps_its_schedule(
    engine: AsyncEngine, settings: Settings, http: httpx.AsyncClient
) -> None:
    calls = 0

    async def broken(services: Services) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    scheduler = Scheduler(
        services_on(engine, settings, http), [periodic("broken", every=0.01, run=broken)]
    )
    scheduler.start()
    await eventually(lambda: calls >= 3, "three failing rounds")
    await scheduler.stop()
    assert scheduler.rounds["broken"] >= 3


@pytest.fixture
async def pg_engines(database_url: str, is_postgres: bool) -> AsyncIterator[list[AsyncEngine]]:
    if not is_postgres:
        pytest.skip("leadership across processes: PostgreSQL (SQLite runs one process)")
    engines = [create_engine(database_url) for _ in range(3)]
    yield engines
    for engine in engines:
        await engine.dispose()


async def lock_holders(engine: AsyncEngine) -> list[int]:
    # pg_locks shows the whole cluster: another xdist worker's scheduler holds the same
    # key in its own database.
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT l.pid FROM pg_locks AS l JOIN pg_database AS d ON d.oid = l.database "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :ns "
                "AND l.objid = :key AND d.datname = current_database()"
            ),
            {"ns": LOCK_NAMESPACE, "key": LEADER_KEY},
        )
        return [int(r[0]) for r in rows]


async def test_one_leader_runs_the_schedule_and_another_takes_over_when_it_dies(
    pg_engines: list[AsyncEngine], settings: Settings, http: httpx.AsyncClient
) -> None:
    counters = [Counter() for _ in pg_engines]
    interval = 0.2
    schedulers = [
        Scheduler(
            services_on(engine, settings, http),
            [periodic("probe", every=interval, run=counter)],
            PostgresLeadership(engine),
        )
        for engine, counter in zip(pg_engines, counters, strict=True)
    ]
    for scheduler in schedulers:
        scheduler.start()
    try:
        await eventually(lambda: sum(c.calls for c in counters) >= 5, "five rounds")
        leaders = [s for s in schedulers if s.leader]
        assert len(leaders) == 1
        [first] = leaders
        # Only the leader ran the task: once per interval, not once per process.
        assert [c.calls > 0 for c in counters] == [s is first for s in schedulers]
        holders = await lock_holders(pg_engines[0])
        assert len(holders) == 1

        # The leader's database session dies (a killed process closes it the same way). Its
        # backend is the lock's holder, found from another connection: the leader's own is
        # its scheduler's, which may be renewing the lease right now (two tasks on one
        # asyncpg connection break its protocol: "got result for unknown protocol state").
        [backend_pid] = holders
        async with pg_engines[0].connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend_pid})
        before = [c.calls for c in counters]

        def taken_over() -> bool:
            others = [s for s in schedulers if s is not first and s.leader]
            return len(others) == 1 and any(
                c.calls > b
                for c, b, s in zip(counters, before, schedulers, strict=True)
                if s is not first
            )

        # Within one interval (the followers try at every tick = the interval), plus
        # the time the probe takes to run.
        await eventually(taken_over, "another process to lead", seconds=interval * 2 + 5)
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
    assert await lock_holders(pg_engines[0]) == []  # stopping gave the lock back


async def test_stopping_the_leader_hands_over_at_the_next_tick(
    pg_engines: list[AsyncEngine], settings: Settings, http: httpx.AsyncClient
) -> None:
    counters = [Counter(), Counter()]
    schedulers = [
        Scheduler(
            services_on(engine, settings, http),
            [periodic("probe", every=0.1, run=counter)],
            PostgresLeadership(engine),
        )
        for engine, counter in zip(pg_engines[:2], counters, strict=True)
    ]
    schedulers[0].start()
    await eventually(lambda: counters[0].calls >= 1, "the first to lead")
    schedulers[1].start()
    assert not schedulers[1].leader
    await schedulers[0].stop()
    await eventually(lambda: counters[1].calls >= 1, "the second to lead")
    await schedulers[1].stop()
