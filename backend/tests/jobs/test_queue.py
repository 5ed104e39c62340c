"""The queue: atomic claims, leases, takeover, backoff, release and lost leases."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import utcnow
from evodash.jobs import service, wakeup
from evodash.jobs.errors import PermanentJobFailure, TransientJobFailure
from evodash.jobs.models import JobStatus
from evodash.jobs.pipeline import JobContext

from .conftest import MakeJob, MakeWorker, reload

Maker = async_sessionmaker[AsyncSession]


async def claim(db: Maker, owner: str, *, lease: float = 30, now: Any = None) -> Any:
    async with db() as session:
        job = await service.claim_job(session, owner=owner, lease_seconds=lease, now=now)
        await session.commit()
        return job


class TestClaim:
    @pytest.mark.commits
    async def test_concurrent_claimers_never_share_a_job(
        self, db: Maker, make_job: MakeJob
    ) -> None:
        jobs = [await make_job() for _ in range(24)]
        claimed: list[int] = []

        async def claimer(i: int) -> None:
            while (job := await claim(db, f"w{i}")) is not None:
                claimed.append(job.id)

        await asyncio.gather(*(claimer(i) for i in range(8)))
        assert sorted(claimed) == sorted(j.id for j in jobs)  # each exactly once
        for job_id in claimed:
            job = await reload(db, job_id)
            assert job.status == JobStatus.running
            assert job.attempts == 1

    async def test_only_due_jobs_and_oldest_first(self, db: Maker, make_job: MakeJob) -> None:
        later = await make_job(run_after=utcnow() + timedelta(minutes=5))
        second = await make_job(run_after=utcnow() - timedelta(seconds=1))
        first = await make_job(run_after=utcnow() - timedelta(seconds=10))
        await make_job(status=JobStatus.succeeded.value)
        await make_job(status=JobStatus.cancelled.value)
        assert (await claim(db, "a", lease=3600)).id == first.id
        assert (await claim(db, "a", lease=3600)).id == second.id
        assert await claim(db, "a") is None
        taken = await claim(db, "a", now=utcnow() + timedelta(minutes=6))
        assert taken.id == later.id

    async def test_claim_sets_the_lease(self, db: Maker, make_job: MakeJob) -> None:
        await make_job()
        before = utcnow()
        job = await claim(db, "worker-1", lease=42)
        assert job.lease_owner == "worker-1"
        assert job.status == JobStatus.running
        assert job.lease_expires_at is not None
        assert timedelta(seconds=41) <= job.lease_expires_at - before <= timedelta(seconds=43)


class TestLease:
    async def test_expired_lease_is_taken_over_and_the_old_owner_cannot_finish(
        self, db: Maker, make_job: MakeJob
    ) -> None:
        created = await make_job()
        first = await claim(db, "dead-worker", lease=30)
        assert await claim(db, "other") is None  # the lease still holds
        later = utcnow() + timedelta(seconds=31)
        second = await claim(db, "rescuer", lease=30, now=later)
        assert second.id == created.id
        assert second.attempts == 2
        async with db() as session:
            assert await service.mark_succeeded(session, first.id, "dead-worker", {}) is None
            lost = await service.heartbeat(session, first.id, "dead-worker", lease_seconds=30)
            assert lost is None
            done = await service.mark_succeeded(session, first.id, "rescuer", {"ok": True})
            await session.commit()
        assert done is not None
        job = await reload(db, created.id)
        assert job.status == JobStatus.succeeded
        assert job.result == {"ok": True}
        assert job.lease_owner is None

    async def test_heartbeat_extends_the_lease_and_saves_progress(
        self, db: Maker, make_job: MakeJob
    ) -> None:
        await make_job()
        job = await claim(db, "w", lease=5)
        async with db() as session:
            held = await service.heartbeat(
                session, job.id, "w", lease_seconds=60, progress=(40, "decoding")
            )
            await session.commit()
        assert held is not None
        assert held.lease_expires_at is not None
        assert held.lease_expires_at > utcnow() + timedelta(seconds=55)
        assert (held.progress, held.progress_message) == (40, "decoding")

    async def test_a_worker_that_died_on_the_last_attempt_is_not_run_again(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        runs: list[int] = []

        async def handler(ctx: JobContext) -> dict[str, Any]:
            runs.append(ctx.job.id)
            return {}

        expired = utcnow() - timedelta(seconds=1)
        job = await make_job(
            status=JobStatus.running.value,
            attempts=3,
            max_attempts=3,
            lease_owner="ghost",
            lease_expires_at=expired,
        )
        assert await make_worker({"test": handler}).run_once() is True
        after = await reload(db, job.id)
        assert runs == []
        assert after.status == JobStatus.failed
        assert after.error is not None and "lease expired" in after.error


class TestBackoff:
    def test_grows_exponentially_to_a_cap_with_jitter(self) -> None:
        rng = random.Random(7)
        for attempt, nominal in [(1, 10), (2, 20), (3, 40), (4, 80), (8, 900), (20, 900)]:
            for _ in range(50):
                delay = service.backoff_seconds(attempt, rng=rng)
                assert nominal * 0.8 <= delay <= nominal * 1.2, (attempt, delay)

    def test_jitter_spreads_the_delays(self) -> None:
        rng = random.Random(1)
        delays = {round(service.backoff_seconds(3, rng=rng), 3) for _ in range(20)}
        assert len(delays) > 10

    async def test_a_transient_failure_is_retried_after_the_backoff(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        calls: list[int] = []

        async def flaky(ctx: JobContext) -> dict[str, Any]:
            calls.append(ctx.job.attempts)
            if len(calls) < 3:
                raise TransientJobFailure("Evolution is down")
            return {"attempt": ctx.job.attempts}

        job = await make_job(max_attempts=5)
        worker = make_worker({"test": flaky}, rng=random.Random(3))
        before = utcnow()
        assert await worker.run_once()
        first = await reload(db, job.id)
        assert first.status == JobStatus.pending
        assert first.error == "Evolution is down"
        wait = (first.run_after - before).total_seconds()
        assert 8 <= wait <= 12.5  # 10 s ± 20 %
        assert not await worker.run_once()  # not due yet

        await _make_due(db, job.id)
        assert await worker.run_once()
        second = await reload(db, job.id)
        assert 16 <= (second.run_after - utcnow()).total_seconds() <= 24.5  # 20 s ± 20 %

        await _make_due(db, job.id)
        assert await worker.run_once()
        done = await reload(db, job.id)
        assert done.status == JobStatus.succeeded
        assert done.result == {"attempt": 3}
        assert done.error is None
        assert calls == [1, 2, 3]

    async def test_gives_up_after_max_attempts(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        async def down(ctx: JobContext) -> dict[str, Any]:
            raise TransientJobFailure("still down")

        job = await make_job(max_attempts=2)
        worker = make_worker({"test": down})
        assert await worker.run_once()
        await _make_due(db, job.id)
        assert await worker.run_once()
        final = await reload(db, job.id)
        assert (final.status, final.attempts, final.error) == (JobStatus.failed, 2, "still down")
        assert final.finished_at is not None

    async def test_a_permanent_failure_is_not_retried(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        async def bad(ctx: JobContext) -> dict[str, Any]:
            raise PermanentJobFailure("invalid image: not a supported image")

        job = await make_job(max_attempts=5)
        assert await make_worker({"test": bad}).run_once()
        final = await reload(db, job.id)
        assert (final.status, final.attempts) == (JobStatus.failed, 1)

    async def test_an_unexpected_error_is_retried(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        async def boom(ctx: JobContext) -> dict[str, Any]:
            raise RuntimeError("disk full")

        job = await make_job(max_attempts=5)
        assert await make_worker({"test": boom}).run_once()
        final = await reload(db, job.id)
        assert final.status == JobStatus.pending
        assert final.error == "unexpected error: RuntimeError: disk full"


async def _make_due(db: Maker, job_id: int) -> None:
    async with db() as session:
        job = await session.get(service.ImageProcessingJob, job_id)
        assert job is not None
        job.run_after = utcnow() - timedelta(seconds=1)
        await session.commit()


@pytest.mark.commits  # a worker's slots and the test write at once: real transactions
class TestWakeUp:
    async def test_a_job_committed_in_this_process_wakes_an_idle_worker_at_once(
        self, db: Maker, make_worker: MakeWorker
    ) -> None:
        async def done(ctx: JobContext) -> dict[str, Any]:
            return {"ok": 1}

        # Idle, it would look again in an hour: only the wake-up can start the job.
        worker = make_worker({"test": done}, concurrency=2, poll_interval=3600)
        claims = 0
        run_once = worker.run_once

        async def counted(*args: Any) -> bool:
            nonlocal claims
            claims += 1
            return await run_once(*args)

        worker.run_once = counted  # type: ignore[method-assign]
        await worker.start()
        try:
            await asyncio.sleep(0.05)  # both slots found nothing and are idle
            async with db() as session:
                job = service.enqueue(session, "test", {})
                await session.commit()
            await _until(lambda: worker.finished == 1, seconds=10)
            await asyncio.sleep(0.2)
            # Then idle again, not spinning: two claims to start, two on the wake-up, one
            # more by the slot that ran the job (and a spare for one that woke late).
            assert claims <= 6, claims
        finally:
            await worker.stop()
        assert (await reload(db, job.id)).status == JobStatus.succeeded

    async def test_only_a_commit_that_queued_a_job_wakes(self, db: Maker) -> None:
        woken = asyncio.Event()
        stop = wakeup.listen(woken)
        try:
            async with db() as session:
                service.enqueue(session, "test", {})
                await session.rollback()
            async with db() as session:
                await session.commit()  # queued nothing (the rollback dropped the mark)
            await asyncio.sleep(0)
            assert not woken.is_set()
            async with db() as session:
                service.enqueue(session, "test", {})
                async with session.begin_nested():
                    pass  # a SAVEPOINT released is no commit
                await asyncio.sleep(0)
                assert not woken.is_set()
                await session.commit()
            await asyncio.sleep(0)
            assert woken.is_set()
        finally:
            stop()
        woken.clear()
        async with db() as session:
            service.enqueue(session, "test", {})
            await session.commit()
        await asyncio.sleep(0)
        assert not woken.is_set()  # no longer listening


@pytest.mark.commits
class TestWorkerLoop:
    async def test_runs_jobs_and_reports_progress(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        seen: list[int] = []

        async def slow(ctx: JobContext) -> dict[str, Any]:
            ctx.report(50, "half way")
            await asyncio.sleep(0.3)
            async with db() as session:
                job = await session.get(service.ImageProcessingJob, ctx.job.id)
                assert job is not None
                seen.append(job.progress)
            return {"ok": 1}

        jobs = [await make_job() for _ in range(4)]
        worker = make_worker({"test": slow}, concurrency=2)
        await worker.start()
        try:
            await _until(lambda: worker.finished == 4)
        finally:
            await worker.stop()
        statuses = [(await reload(db, j.id)).status for j in jobs]
        assert statuses == [JobStatus.succeeded] * 4
        assert seen == [50, 50, 50, 50]  # saved by the heartbeat while the handler ran

    async def test_stop_releases_running_jobs_without_counting_the_attempt(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        started = asyncio.Event()

        async def forever(ctx: JobContext) -> dict[str, Any]:
            started.set()
            await asyncio.sleep(3600)
            return {}

        job = await make_job()
        worker = make_worker({"test": forever})
        await worker.start()
        await asyncio.wait_for(started.wait(), 10)
        await worker.stop(grace=0.1)
        released = await reload(db, job.id)
        assert released.status == JobStatus.pending
        assert released.attempts == 0
        assert released.lease_owner is None

    async def test_cancelling_a_running_job_makes_its_worker_drop_the_work(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker, users: Any
    ) -> None:
        started = asyncio.Event()
        dropped = asyncio.Event()

        async def long(ctx: JobContext) -> dict[str, Any]:
            started.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                dropped.set()
                raise
            return {"written": True}

        job = await make_job()
        worker = make_worker({"test": long}, lease_seconds=0.6)
        await worker.start()
        try:
            await asyncio.wait_for(started.wait(), 10)
            operator = await users.operator()
            async with db() as session:
                await service.cancel_job(session, job.id, actor=operator)
                await session.commit()
            await asyncio.wait_for(dropped.wait(), 5)
        finally:
            await worker.stop()
        final = await reload(db, job.id)
        assert final.status == JobStatus.cancelled
        assert final.result is None

    async def test_a_relay_never_waits_for_long_jobs_to_free_a_slot(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        """Image jobs take seconds of OCR each; a relay queued behind a burst of them
        would wait minutes. Relays have slots of their own (WORKER_RELAY_SLOTS)."""
        release = asyncio.Event()
        images: list[int] = []
        relayed = asyncio.Event()

        async def ocr(ctx: JobContext) -> dict[str, Any]:
            images.append(ctx.job.id)
            await release.wait()
            return {}

        async def relay(ctx: JobContext) -> dict[str, Any]:
            relayed.set()
            return {}

        # Two image jobs due before the relay: the only general slot is busy with the
        # first, the second waits for it, and the relay is the newest of all.
        first = await make_job(kind=service.INVOICE_KIND, run_after=utcnow() - timedelta(seconds=9))
        await make_job(kind=service.INVOICE_KIND, run_after=utcnow() - timedelta(seconds=8))
        forward = await make_job(kind=service.FORWARD_KIND)
        worker = make_worker(
            {service.INVOICE_KIND: ocr, service.FORWARD_KIND: relay},
            concurrency=1,
            relay_slots=1,
        )
        await worker.start()
        try:
            await _until(lambda: images == [first.id])
            await asyncio.wait_for(relayed.wait(), 10)
            assert images == [first.id]  # still running: the relay did not wait for it
            await _until(lambda: worker.finished == 1)
            assert (await reload(db, forward.id)).status == JobStatus.succeeded
        finally:
            release.set()
            await worker.stop()

    async def test_relay_slots_run_relays_only(
        self, db: Maker, make_job: MakeJob, make_worker: MakeWorker
    ) -> None:
        ran: list[str] = []

        async def handler(ctx: JobContext) -> dict[str, Any]:
            ran.append(ctx.job.kind)
            return {}

        image = await make_job(kind=service.INVOICE_KIND)
        worker = make_worker(
            {service.INVOICE_KIND: handler, service.FORWARD_KIND: handler}, relay_slots=1
        )
        assert await worker.run_once(1, [service.FORWARD_KIND]) is False  # the relay lane
        assert ran == [] and (await reload(db, image.id)).status == JobStatus.pending
        assert await worker.run_once(0) is True  # a general slot takes anything
        assert ran == [service.INVOICE_KIND]


async def _until(check: Any, seconds: float = 15) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")
