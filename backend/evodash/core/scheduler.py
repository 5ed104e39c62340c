"""One scheduler: each periodic task is declared once and runs once per interval, however
many processes run evodash.

A periodic task is a name, an interval (from the settings; 0 or less turns it off) and an
``async`` function of :class:`~evodash.core.services.Services`. All of them are listed in
:mod:`evodash.schedule`; declaring one is one line there::

    periodic("backups", every=lambda s: s.backup_interval_seconds, run=backups.run_scheduled)

Every process that does background work (``BACKGROUND_TASKS``: API processes and
``evodash worker``) runs a :class:`Scheduler`, but only the *leader* runs the tasks:

* on PostgreSQL the leader holds a session-level advisory lock
  (``pg_try_advisory_lock``) on a connection of its own. The others try to take it every
  *tick* (the shortest interval, at most :data:`MAX_TICK` seconds). When the leader dies
  its connection closes, PostgreSQL frees the lock, and another process takes it at its
  next tick and runs every task at once: the schedule moves within one interval;
* on SQLite evodash runs as one process: it is always the leader.

A task never overlaps itself (a round longer than the interval delays the next one), a
failing round is logged and the schedule goes on, and stopping lets the rounds in progress
finish (a database write is never cut short) before the lock is given back.

Why not APScheduler: its ``AsyncIOScheduler`` would give the interval arithmetic, but it
has no leadership across processes (the part that matters here), and its asyncio executor
cancels running coroutines at shutdown, which can leave a SQLite connection holding the
write lock (see ``jobs/worker.py``). What is left to write by hand is this small loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from evodash.core.config import Settings

if TYPE_CHECKING:
    from evodash.core.services import Services

log = structlog.get_logger(__name__)

#: Followers try to become the leader at least this often (seconds).
MAX_TICK = 5.0
#: The advisory lock of the scheduler's leader: (namespace ``"evod"``, key ``"schd"``).
LOCK_NAMESPACE = 0x65766F64
LEADER_KEY = 0x73636864

TaskRun = Callable[["Services"], Awaitable[object]]


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: Callable[[Settings], float]
    run: TaskRun
    #: Run as soon as a process becomes the leader (else one interval later).
    at_start: bool = True


def periodic(
    name: str, *, every: float | Callable[[Settings], float], run: TaskRun, at_start: bool = True
) -> PeriodicTask:
    """Declare a periodic task: ``every`` seconds (a number, or read from the settings)."""
    interval = every if callable(every) else (lambda _settings, seconds=float(every): seconds)
    return PeriodicTask(name, interval, run, at_start)


class Leadership(Protocol):
    async def hold(self) -> bool:
        """Become or stay the leader: True while this process is the leader."""
        ...

    async def release(self) -> None: ...


class SingleProcess:
    """SQLite: evodash runs as one process, the leader of itself."""

    async def hold(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLeadership:
    """The leader holds a session-level advisory lock on a connection kept for it."""

    def __init__(self, engine: AsyncEngine, key: int = LEADER_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: AsyncConnection | None = None

    async def hold(self) -> bool:
        if self._conn is not None:
            try:  # still connected, so still holding the lock
                await self._conn.execute(text("SELECT 1"))
                await self._conn.commit()
                return True
            except Exception as exc:
                log.warning("scheduler.leader_connection_lost", error=repr(exc))
                await self._drop()
                return False
        conn = await self.engine.connect()
        try:
            got = (
                await conn.execute(
                    text("SELECT pg_try_advisory_lock(:ns, :key)"),
                    {"ns": LOCK_NAMESPACE, "key": self.key},
                )
            ).scalar_one()
            await conn.commit()  # no transaction left open; the session lock stays
        except BaseException:
            await conn.close()
            raise
        if got:
            self._conn = conn
            return True
        await conn.close()
        return False

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()  # never back to the pool with the lock on it
            with contextlib.suppress(Exception):
                await conn.close()

    async def release(self) -> None:
        conn = self._conn
        if conn is None:
            return
        with contextlib.suppress(Exception):
            await conn.execute(
                text("SELECT pg_advisory_unlock(:ns, :key)"),
                {"ns": LOCK_NAMESPACE, "key": self.key},
            )
            await conn.commit()
        self._conn = None
        with contextlib.suppress(Exception):
            await conn.close()


def leadership_for(engine: AsyncEngine) -> Leadership:
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(engine)
    return SingleProcess()


class Scheduler:
    def __init__(
        self,
        services: Services,
        tasks: Sequence[PeriodicTask],
        leadership: Leadership | None = None,
        *,
        tick: float | None = None,
    ) -> None:
        self.services = services
        self.leadership = leadership or leadership_for(services.engine)
        self.tasks = [(t, t.every(services.settings)) for t in tasks]
        self.tasks = [(t, seconds) for t, seconds in self.tasks if seconds > 0]
        shortest = min((seconds for _, seconds in self.tasks), default=MAX_TICK)
        self.tick = tick if tick is not None else min(shortest, MAX_TICK)
        self.leader = False
        #: Rounds run by this process, per task (diagnostics, tests).
        self.rounds: dict[str, int] = {t.name: 0 for t, _ in self.tasks}
        self._due: dict[str, float] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    def start(self) -> None:
        if not self.tasks:
            return
        self._loop = asyncio.create_task(self._run(), name="scheduler")
        log.info(
            "scheduler.started",
            pid=os.getpid(),
            tick=self.tick,
            tasks={t.name: seconds for t, seconds in self.tasks},
        )

    async def stop(self, grace: float = 10.0) -> None:
        """Start nothing more, let running rounds finish (up to ``grace`` s), step down."""
        self._stopping.set()
        if self._loop is not None:
            with contextlib.suppress(Exception):
                await self._loop
            self._loop = None
        running = list(self._running.values())
        if running:
            _, pending = await asyncio.wait(running, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.leadership.release()
        self.leader = False

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                leader = await self.leadership.hold()
            except Exception as exc:  # the database is down: nobody leads from here
                log.warning("scheduler.leadership_failed", error=repr(exc))
                leader = False
            if leader and not self.leader:
                log.info("scheduler.leader", pid=os.getpid())
                now = time.monotonic()
                self._due = {
                    t.name: now if t.at_start else now + seconds for t, seconds in self.tasks
                }
            elif self.leader and not leader:
                log.warning("scheduler.not_leader", pid=os.getpid())
            self.leader = leader
            if leader and not self._stopping.is_set():  # a stopping process starts nothing
                self._start_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.tick)

    def _start_due(self) -> None:
        now = time.monotonic()
        for task, seconds in self.tasks:
            if task.name in self._running or now < self._due[task.name]:
                continue
            self._due[task.name] = now + seconds
            run = asyncio.create_task(self._round(task), name=f"periodic-{task.name}")
            self._running[task.name] = run
            run.add_done_callback(self._finished)

    def _finished(self, run: asyncio.Task[None]) -> None:
        self._running.pop(run.get_name().removeprefix("periodic-"), None)

    async def _round(self, task: PeriodicTask) -> None:
        started = time.perf_counter()
        try:
            await task.run(self.services)
        except Exception:
            log.exception("scheduler.task_failed", task=task.name)
        else:
            log.debug(
                "scheduler.task_done",
                task=task.name,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
        self.rounds[task.name] += 1
