"""Scaled out for real: 3 API processes and 2 workers on PostgreSQL and Redis, on loopback.

One test (about 20 s) drives the deployment of ``docker-compose.yml`` (``--scale api=3
--scale worker=2``) without the proxy, against the Evolution simulator, with a 2 s status
sync:

* the simulator sees each instance probed once per interval, not once per process;
* 200 image jobs are each run exactly once, by both workers;
* a WebSocket client of process A sees the message that process B received (a worker
  applies it; Redis carries the event);
* six bad logins spread over the three processes are throttled as one;
* logging out on A rejects the cookie on B and C;
* killing the scheduler's leader (SIGKILL) hands the schedule to another process within
  one interval.

Runs when ``TEST_DATABASE_URL`` (PostgreSQL) and ``TEST_REDIS_URL`` are set, as in CI.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import websockets
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.webhooks import SECRET_HEADER
from tests import loopback
from tests.conftest import TEST_SECRET
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.jobs.probe import DDL, PROBE_KIND
from tests.live import free_port
from tests.simulator_server import RunningSimulator
from tests.webhooks.support import InstanceFactory, text_message

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.commits]

Maker = async_sessionmaker[AsyncSession]
BACKEND_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL")
SYNC_SECONDS = 2.0
INSTANCES = 3
JOBS = 200


@dataclass
class Process:
    name: str
    proc: asyncio.subprocess.Process
    log: Path
    url: str | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def lines(self) -> list[dict[str, Any]]:
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found

    def logged(self, event: str) -> bool:
        return any(line.get("event") == event for line in self.lines())

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
async def pg(is_postgres: bool, engine: AsyncEngine, db: Maker) -> AsyncIterator[Maker]:
    if not is_postgres or not REDIS_URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL")
    async with engine.begin() as conn:
        await conn.execute(text(DDL))
        await conn.execute(text("TRUNCATE job_probe_log"))
    redis = aioredis.from_url(REDIS_URL)
    for key in await redis.keys("evodash:throttle:*"):  # a previous run's failures
        await redis.delete(key)
    await redis.aclose()
    yield db
    async with engine.begin() as conn:  # not part of the schema: `alembic check` stays clean
        await conn.execute(text("DROP TABLE IF EXISTS job_probe_log"))


@pytest.fixture
async def deployment(
    pg: Maker, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[list[Process], list[Process]]]:
    assert REDIS_URL is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "TEST_"))}
    env.update(
        ENVIRONMENT="test",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=TEST_SECRET,
        DATA_DIR=str(tmp_path / "data"),
        MEDIA_ROOT=str(tmp_path / "media"),
        FRONTEND_DIST=str(tmp_path / "no-dist"),
        BOOTSTRAP_ADMIN="false",
        EMBEDDED_WORKER="false",
        EMBEDDED_APPLIER="false",
        STATUS_SYNC_INTERVAL_SECONDS=str(SYNC_SECONDS),
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join(filter(None, [str(BACKEND_DIR), env.get("PYTHONPATH")])),
    )
    started: list[Process] = []

    async def start(name: str, argv: list[str], url: str | None = None) -> Process:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, *argv, cwd=tmp_path, env=env, stdout=out, stderr=out
            )
        process = Process(name, proc, log, url)
        started.append(process)
        return process

    apis = []
    for name in "abc":
        port = free_port()
        argv = ["-m", "evodash.cli", "run", "--no-migrate", "--port", str(port)]
        apis.append(await start(f"api-{name}", argv, f"http://127.0.0.1:{port}"))
    workers = [
        await start(
            f"worker-{i}",
            ["-m", "tests.jobs.worker_main", "--concurrency=4", "--poll-interval=0.1", "--no-ocr"],
        )
        for i in range(2)
    ]

    async def up() -> bool:
        for process in started:
            assert process.proc.returncode is None, f"{process.name} exited:\n{process.tail()}"
        async with loopback.client(timeout=1) as http:
            for api in apis:
                try:
                    if (await http.get(f"{api.url}/healthz")).status_code != 200:
                        return False
                except httpx.HTTPError:
                    return False
        return all(w.logged("worker.started") for w in workers)

    try:
        await eventually(up, 180, "3 API processes and 2 workers to start")
        yield apis, workers
    finally:
        for process in started:
            if process.proc.returncode is None:
                process.proc.send_signal(signal.SIGTERM)
        for process in started:
            try:
                await asyncio.wait_for(process.proc.wait(), 20)
            except TimeoutError:
                process.proc.kill()
                await process.proc.wait()


async def login(http: httpx.AsyncClient, url: str, username: str, password: str) -> int:
    response = await http.post(
        f"{url}/api/auth/login", json={"username": username, "password": password}
    )
    return response.status_code


async def check_jobs_run_once(pg: Maker, workers: list[Process]) -> None:
    async with pg() as session:
        jobs = [ImageProcessingJob(kind=PROBE_KIND, max_attempts=3) for _ in range(JOBS)]
        session.add_all(jobs)
        await session.commit()
    ids = sorted(job.id for job in jobs)

    async def done() -> bool:
        async with pg() as session:
            stmt = select(func.count()).where(
                ImageProcessingJob.status == JobStatus.succeeded.value
            )
            return int((await session.execute(stmt)).scalar_one()) == JOBS

    await eventually(done, 90, f"{JOBS} jobs to succeed")
    async with pg() as session:
        starts = (
            await session.execute(text("SELECT job_id, pid FROM job_probe_log WHERE event='start'"))
        ).all()
    assert sorted(r.job_id for r in starts) == ids  # each exactly once
    assert {r.pid for r in starts} == {w.pid for w in workers}  # both workers took part


async def check_websocket_across_processes(
    a: Process, b: Process, instances: InstanceFactory, users: UserFactory, sim_url: str
) -> None:
    await users.viewer(username="watcher")
    hooked = await instances.create("scale-ws", server_url=sim_url)
    async with loopback.client(base_url=a.url or "") as http:
        assert await login(http, "", "watcher", DEFAULT_PASSWORD) == 200
        cookie = f"evodash_session={http.cookies['evodash_session']}"
    ws_url = (a.url or "").replace("http://", "ws://") + "/api/ws"
    async with websockets.connect(ws_url, additional_headers={"Cookie": cookie}) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
        async with loopback.client() as http:
            response = await http.post(
                f"{b.url}{hooked.url}",
                json=text_message("SCALEOUTWS1", instance=hooked.name),
                headers={SECRET_HEADER: hooked.secret},
            )
            assert response.status_code == 200, response.text
        async with asyncio.timeout(20):
            while True:  # other events may come first (Redis carries every process's)
                frame = await ws.recv()
                if "SCALEOUTWS1" in frame:
                    break
    assert json.loads(frame)["type"].startswith("message")


async def check_throttle_and_logout(apis: list[Process], users: UserFactory) -> None:
    await users.viewer(username="target")
    async with loopback.client() as http:
        statuses = [
            await login(http, apis[i % 3].url or "", "target", "wrong-password") for i in range(6)
        ]
    # Five free failures (LOGIN_MAX_ATTEMPTS) across A, B, C, A, B; C refuses the sixth.
    assert statuses == [401] * 5 + [429]

    await users.viewer(username="leaver")
    a, b, c = (api.url or "" for api in apis)
    async with loopback.client() as browser:
        assert await login(browser, a, "leaver", DEFAULT_PASSWORD) == 200
        cookies = dict(browser.cookies)
        for url in (b, c):
            assert (await browser.get(f"{url}/api/auth/me")).status_code == 200
        csrf = {"X-CSRF-Token": cookies["evodash_csrf"]}
        assert (await browser.post(f"{a}/api/auth/logout", headers=csrf)).status_code == 204
    async with loopback.client(cookies=cookies) as stolen:
        for url in (b, c):
            assert (await stolen.get(f"{url}/api/auth/me")).status_code == 401


async def probes(sim: RunningSimulator) -> dict[str, list[float]]:
    by_instance: dict[str, list[float]] = {}
    for probe in (await sim.state())["probes"]:
        by_instance.setdefault(probe["instance"], []).append(probe["at"])
    return by_instance


def leader(processes: list[Process]) -> Process:
    """The process that last became the scheduler's leader (from the logs)."""
    latest: tuple[str, Process] | None = None
    for process in processes:
        for line in process.lines():
            if (
                line.get("event") == "scheduler.leader"
                and process.proc.returncode is None
                and (latest is None or line["timestamp"] > latest[0])
            ):
                latest = (line["timestamp"], process)
    assert latest is not None, "no process leads the schedule"
    return latest[1]


async def test_three_api_processes_and_two_workers_do_everything_once(
    deployment: tuple[list[Process], list[Process]],
    pg: Maker,
    users: UserFactory,
    running_simulator: RunningSimulator,
) -> None:
    apis, workers = deployment
    sim = running_simulator
    instances = InstanceFactory(pg)
    names = [f"scale-{i}" for i in range(INSTANCES)]
    for name in names:
        await sim.create_instance(name)
        await instances.create(name, server_url=sim.base_url, server_key=sim.api_key)
    watched_from = time.time()

    # Meanwhile, the rest of the deployment's work.
    await check_jobs_run_once(pg, workers)
    await check_throttle_and_logout(apis, users)
    await check_websocket_across_processes(apis[0], apis[1], instances, users, sim.base_url)

    # Each instance was probed once per interval (three schedulers would probe thrice).
    async def four_rounds() -> bool:
        seen = await probes(sim)
        return all(len([t for t in seen.get(n, []) if t > watched_from]) >= 4 for n in names)

    await eventually(four_rounds, 30, "four status sync rounds")
    seen = await probes(sim)
    for name in names:
        times = sorted(seen[name])
        rounds = (times[-1] - times[0]) / SYNC_SECONDS + 1
        # One process probes, not three (which would be about 3 x rounds). One round of
        # slack: a round delayed by a busy machine shortens the gap to the next one.
        assert len(times) <= rounds + 1, (name, len(times), rounds)

    # Kill the leader: another process takes the schedule within one interval.
    everyone = apis + workers
    first = leader(everyone)
    first.proc.send_signal(signal.SIGKILL)
    await first.proc.wait()
    killed_at = time.time()

    async def probed_again() -> bool:
        seen = await probes(sim)
        return all(any(t > killed_at for t in seen.get(n, [])) for n in names)

    await eventually(probed_again, SYNC_SECONDS * 10, "a probe after the leader died")
    seen = await probes(sim)
    resumed = min(t for n in names for t in seen[n] if t > killed_at)
    # The followers try every interval, and the new leader syncs as soon as it leads:
    # within one interval, plus the round's own time (generous: a loaded 2-core machine).
    assert resumed - killed_at <= 2 * SYNC_SECONDS, resumed - killed_at
    successor = leader([p for p in everyone if p is not first])
    assert successor is not first
