"""Real worker processes (``evodash worker``) against PostgreSQL.

4 processes share 200 jobs, each run exactly once; a worker killed with SIGKILL mid-job
loses the job only when its lease expires, and another process completes it once; SIGTERM
gives a running job back. SQLite has one writer, so these run only on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.invoices.pix import build_pix_payload
from evodash.invoices.render import render_invoice_image
from evodash.jobs import media
from evodash.jobs.models import ImageProcessingJob, JobStatus
from tests.conftest import TEST_SECRET

from .conftest import reload
from .probe import DDL, PROBE_KIND

Maker = async_sessionmaker[AsyncSession]
BACKEND_DIR = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 5

# Worker processes of their own read and write the jobs: real commits.
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.commits]


@pytest.fixture
async def pg(is_postgres: bool, engine: AsyncEngine, db: Maker) -> AsyncIterator[Maker]:
    if not is_postgres:
        pytest.skip(
            "needs PostgreSQL: set TEST_DATABASE_URL (several worker processes need "
            "SKIP LOCKED; SQLite allows one writer)"
        )
    async with engine.begin() as conn:
        await conn.execute(text(DDL))
        await conn.execute(text("TRUNCATE job_probe_log"))
    yield db
    # The probe table is not part of the schema: leaving it behind would make
    # `alembic check` on this database report a table to remove.
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE IF EXISTS job_probe_log"))


class WorkerProcess:
    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc = proc
        self.log = log

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def ready(self) -> bool:
        return "worker.started" in self.output()

    async def terminate(self, seconds: float = 30) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), seconds)


Spawn = Callable[..., Awaitable[WorkerProcess]]


@pytest.fixture
async def spawn(database_url: str, tmp_path: Path) -> AsyncIterator[Spawn]:
    started: list[WorkerProcess] = []

    async def start(name: str, *, sleep: float = 0.0, grace: float = 20) -> WorkerProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "TEST_"))}
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY=TEST_SECRET,
            ENVIRONMENT="test",
            DATA_DIR=str(tmp_path / "data"),
            MEDIA_ROOT=str(tmp_path / "media"),
            JOB_LEASE_SECONDS=str(LEASE_SECONDS),
            LOG_FORMAT="json",
            LOG_LEVEL="INFO",
            EVODASH_PROBE_SLEEP=str(sleep),
            PYTHONPATH=os.pathsep.join(filter(None, [str(BACKEND_DIR), env.get("PYTHONPATH")])),
        )
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.jobs.worker_main",
                "--concurrency=2",
                "--poll-interval=0.1",
                f"--grace={grace}",
                "--no-ocr",
                cwd=BACKEND_DIR,
                env=env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        worker = WorkerProcess(proc, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.proc.returncode is None:
            worker.proc.kill()
            await worker.proc.wait()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def all_ready(workers: list[WorkerProcess]) -> None:
    async def ready() -> bool:
        for w in workers:
            assert w.proc.returncode is None, f"worker exited early:\n{w.output()}"
        return all(w.ready() for w in workers)

    await eventually(ready, 60, "the workers to start")


async def probe_rows(db: Maker, event: str) -> list[Any]:
    async with db() as session:
        result = await session.execute(
            text("SELECT job_id, pid, owner, at FROM job_probe_log WHERE event = :e ORDER BY id"),
            {"e": event},
        )
        return list(result.all())


async def count_status(db: Maker, status: JobStatus) -> int:
    async with db() as session:
        stmt = select(func.count()).where(ImageProcessingJob.status == status.value)
        return int((await session.execute(stmt)).scalar_one())


async def add_probe_jobs(db: Maker, n: int) -> list[int]:
    async with db() as session:
        jobs = [ImageProcessingJob(kind=PROBE_KIND, max_attempts=3) for _ in range(n)]
        session.add_all(jobs)
        await session.commit()
        return [j.id for j in jobs]


async def test_four_processes_run_200_jobs_each_exactly_once(
    pg: Maker, spawn: Spawn, tmp_path: Path
) -> None:
    workers = [await spawn(f"worker-{i}", sleep=0.05) for i in range(4)]
    await all_ready(workers)

    pix = build_pix_payload("11222333000181", "Companhia Exemplo", "Sao Paulo", None, "MP1")
    image = render_invoice_image(pix_payload=pix, size=(800, 600), fmt="PNG")
    relpath, digest = await media.store_original(tmp_path / "media", image)
    job_ids = await add_probe_jobs(pg, 200)
    async with pg() as session:
        invoices = [
            ImageProcessingJob(kind="invoice", media_path=relpath, media_sha256=digest)
            for _ in range(12)
        ]
        session.add_all(invoices)
        await session.commit()

    async def all_done() -> bool:
        return await count_status(pg, JobStatus.succeeded) == 212

    await eventually(all_done, 180, "212 jobs to succeed")
    codes = await asyncio.gather(*(w.terminate() for w in workers))
    assert codes == [0, 0, 0, 0], [w.output()[-2000:] for w in workers]

    starts, finishes = await probe_rows(pg, "start"), await probe_rows(pg, "finish")
    assert sorted(r.job_id for r in starts) == job_ids  # executed exactly once each
    assert sorted(r.job_id for r in finishes) == job_ids
    pids = {w.pid for w in workers}
    assert {r.pid for r in starts} == pids  # all four processes took part
    for job_id in job_ids:
        job = await reload(pg, job_id)
        assert (job.status, job.attempts, job.lease_owner) == (JobStatus.succeeded, 1, None)
        assert (job.result or {})["pid"] in pids
    for invoice in invoices:
        job = await reload(pg, invoice.id)
        assert (job.status, job.attempts) == (JobStatus.succeeded, 1)
        assert (job.result or {})["pix"]["payload"] == pix


async def test_a_killed_worker_s_job_completes_once_by_another_after_the_lease(
    pg: Maker, spawn: Spawn
) -> None:
    victim = await spawn("victim", sleep=120)
    await all_ready([victim])
    [job_id] = await add_probe_jobs(pg, 1)

    async def started() -> bool:
        return len(await probe_rows(pg, "start")) == 1

    await eventually(started, 30, "the victim to start the job")
    rescuer = await spawn("rescuer", sleep=0)
    await all_ready([rescuer])
    first_lease = (await reload(pg, job_id)).lease_expires_at
    assert first_lease is not None

    async def outlived_first_lease() -> bool:
        # Polled, not slept: the victim's heartbeat has moved the lease on, and the first
        # one ran out long enough ago for the rescuer to have looked for expired leases.
        lease = (await reload(pg, job_id)).lease_expires_at
        assert lease is not None
        return lease > first_lease and time.time() > first_lease.timestamp() + 2

    await eventually(outlived_first_lease, LEASE_SECONDS * 4, "the first lease to run out")
    assert len(await probe_rows(pg, "start")) == 1
    running = await reload(pg, job_id)
    assert running.status == JobStatus.running
    assert running.lease_owner is not None and running.lease_owner.split(":")[1] == str(victim.pid)

    victim.proc.send_signal(signal.SIGKILL)
    assert await victim.proc.wait() == -signal.SIGKILL
    lease_expiry = (await reload(pg, job_id)).lease_expires_at
    assert lease_expiry is not None

    async def done() -> bool:
        return (await reload(pg, job_id)).status == JobStatus.succeeded

    await eventually(done, LEASE_SECONDS * 6, "the rescuer to complete the job")
    assert await rescuer.terminate() == 0

    starts, finishes = await probe_rows(pg, "start"), await probe_rows(pg, "finish")
    assert [r.pid for r in starts] == [victim.pid, rescuer.pid]
    assert [r.pid for r in finishes] == [rescuer.pid]  # completed once, by the other
    assert starts[1].at >= lease_expiry.timestamp() - 0.05  # only after the lease expired
    job = await reload(pg, job_id)
    assert (job.attempts, (job.result or {})["pid"]) == (2, rescuer.pid)


async def test_sigterm_gives_a_running_job_back(pg: Maker, spawn: Spawn) -> None:
    worker = await spawn("graceful", sleep=120, grace=0.5)
    await all_ready([worker])
    [job_id] = await add_probe_jobs(pg, 1)

    async def started() -> bool:
        return len(await probe_rows(pg, "start")) == 1

    await eventually(started, 30, "the worker to start the job")
    assert await worker.terminate(seconds=20) == 0
    job = await reload(pg, job_id)
    assert (job.status, job.attempts, job.lease_owner) == (JobStatus.pending, 0, None)
    assert "job.released" in worker.output()
