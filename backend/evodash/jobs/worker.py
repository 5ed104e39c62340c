"""The job worker: claims due jobs, holds their lease while working, finishes them.

One :class:`Worker` runs ``concurrency`` slots; each slot claims a job, runs its handler
and finishes it. Besides those, ``relay_slots`` slots claim only relays (``forward`` jobs,
:data:`EXPRESS_KINDS`): a relay is a POST that takes milliseconds (its timeout bounds
it), and it must reach its destination within seconds even while every general slot is
busy with image jobs that take seconds of OCR each (a burst of recovered images keeps
them busy for minutes). General slots take relays too, oldest due first.

While a handler runs, a heartbeat task renews the lease (every third of the lease) and
saves the reported progress (at most every ``progress_interval``, which also throttles
the ``job.updated`` events). If the heartbeat finds the lease gone (the
job was cancelled, or this worker stalled and another took over), the handler is
cancelled and its result is never written. CPU work runs in threads (see
:mod:`evodash.jobs.pipeline`), never on the event loop.

Workers run inside the API process (``EMBEDDED_WORKER=true``, :func:`start_jobs` from the
lifespan) or as ``evodash worker`` processes (:func:`run_worker_process`), any number of
them on PostgreSQL. ``SIGTERM`` stops a worker gracefully: it claims nothing more, lets
running jobs finish for a grace period, then gives the rest back (lease released, the
attempt not counted). A worker that dies without that loses its lease when it expires,
and another worker takes the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core import metrics
from evodash.core.config import Settings
from evodash.jobs import service, wakeup
from evodash.jobs.errors import JobFailure
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.jobs.pipeline import JobContext, run_invoice_job
from evodash.webhooks.forwarding import FORWARD_KIND, run_forward_job

log = structlog.get_logger(__name__)

JobHandler = Callable[[JobContext], Coroutine[Any, Any, dict[str, Any]]]
_HANDLERS: dict[str, JobHandler] = {
    service.INVOICE_KIND: run_invoice_job,
    FORWARD_KIND: run_forward_job,
}


#: Kinds with slots of their own in every worker (``WORKER_RELAY_SLOTS``).
EXPRESS_KINDS = (FORWARD_KIND,)


def register_handler(kind: str, handler: JobHandler) -> None:
    """Add a job kind (workers created afterwards claim jobs of that kind too)."""
    _HANDLERS[kind] = handler


class LeaseLost(Exception):
    """This worker no longer holds the job's lease: its work must not be written."""


class _Progress:
    """The latest progress reported by a handler (possibly from a thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: tuple[int, str] | None = None

    def report(self, percent: int, stage: str) -> None:
        with self._lock:
            self._value = (percent, stage)

    def take(self) -> tuple[int, str] | None:
        with self._lock:
            value, self._value = self._value, None
            return value


def default_worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        http: httpx.AsyncClient,
        *,
        concurrency: int | None = None,
        relay_slots: int | None = None,
        lease_seconds: float | None = None,
        poll_interval: float = 1.0,
        progress_interval: float = 0.5,
        ocr: bool = True,
        name: str | None = None,
        handlers: dict[str, JobHandler] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.http = http
        self.concurrency = concurrency or settings.worker_concurrency
        self.relay_slots = settings.worker_relay_slots if relay_slots is None else relay_slots
        self.lease_seconds = float(lease_seconds or settings.job_lease_seconds)
        self.poll_interval = poll_interval
        self.progress_interval = progress_interval
        self.ocr = ocr
        self.name = name or default_worker_name()
        self.handlers = dict(handlers if handlers is not None else _HANDLERS)
        self.rng = rng
        self.finished = 0
        self._stopping = asyncio.Event()
        #: Set when this process commits a new job (:mod:`evodash.jobs.wakeup`).
        self._wake = asyncio.Event()
        self._unlisten: Callable[[], None] | None = None
        self._slots: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[dict[str, Any]]] = {}  # owner -> handler task
        self._released: set[str] = set()

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping.clear()
        self._unlisten = wakeup.listen(self._wake)
        lanes: list[list[str] | None] = [None] * self.concurrency
        express = [kind for kind in EXPRESS_KINDS if kind in self.handlers]
        if express:
            lanes += [express] * self.relay_slots
        self._slots = [
            asyncio.create_task(self._slot(i, kinds), name=f"job-worker-{i}")
            for i, kinds in enumerate(lanes)
        ]
        log.info(
            "worker.started",
            worker=self.name,
            concurrency=self.concurrency,
            relay_slots=len(lanes) - self.concurrency,
            lease_seconds=self.lease_seconds,
            kinds=sorted(self.handlers),
        )

    async def stop(self, grace: float = 10.0) -> None:
        """Claim nothing more; wait ``grace`` seconds for running jobs, release the rest."""
        self._stopping.set()
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        slots, self._slots = self._slots, []
        if not slots:
            return
        _, pending = await asyncio.wait(slots, timeout=grace)
        if pending:
            for owner, task in list(self._running.items()):
                self._released.add(owner)
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=10)
            for slot in pending:  # the database did not answer: the lease will expire
                slot.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        log.info("worker.stopped", worker=self.name, finished=self.finished)

    async def _slot(self, index: int, kinds: list[str] | None = None) -> None:
        failures = 0
        while not self._stopping.is_set():
            # A job committed from now on wakes the idle wait below (one committed while a
            # claim runs included); every idle slot wakes, the first to claim gets it.
            self._wake.clear()
            try:
                found = await self.run_once(index, kinds)
                failures = 0
            except Exception as exc:  # the database is down: keep the worker alive
                failures += 1
                log.warning("worker.loop_error", worker=self.name, error=repr(exc))
                await self._idle(min(self.poll_interval * 2**failures, 30.0))
                continue
            if not found:
                await self._idle(self.poll_interval, wakeable=True)

    async def _idle(self, seconds: float, *, wakeable: bool = False) -> None:
        """Wait ``seconds``, less when stopping, or (``wakeable``) when a job is queued."""
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if wakeable:
            waits.append(asyncio.ensure_future(self._wake.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    # --- one job ------------------------------------------------------------------------

    async def run_once(self, slot: int = 0, kinds: list[str] | None = None) -> bool:
        """Claim and process one due job (of ``kinds``, else of any kind this worker
        handles); ``False`` when none was due."""
        owner = f"{self.name}/{slot}/{secrets.token_hex(4)}"
        async with self.sessionmaker() as session:
            job = await service.claim_job(
                session,
                owner=owner,
                lease_seconds=self.lease_seconds,
                kinds=kinds or list(self.handlers),
            )
            await session.commit()
        if job is None:
            return False
        await self._process(job, owner)
        return True

    async def _process(self, job: ImageProcessingJob, owner: str) -> None:
        bound = log.bind(job_id=job.id, kind=job.kind, attempt=job.attempts, worker=owner)
        if job.attempts > job.max_attempts:
            # Its worker died on the last attempt (lease expired): do not run it again.
            message = (
                f"gave up after {job.max_attempts} attempts: the worker running the last "
                "one stopped responding (its lease expired)"
            )
            await self._finish(job, owner, error=message, retryable=False)
            return
        progress = _Progress()
        lost = asyncio.Event()

        async def save(values: dict[str, Any]) -> None:
            async with self.sessionmaker() as session:
                saved = await service.save_fields(session, job.id, owner, values)
                await session.commit()
            if saved is None:
                raise LeaseLost(f"job {job.id} is no longer held by {owner}")

        ctx = JobContext(
            job=job,
            owner=owner,
            settings=self.settings,
            sessionmaker=self.sessionmaker,
            http=self.http,
            report=progress.report,
            save=save,
            ocr=self.ocr,
        )
        task = asyncio.create_task(self.handlers[job.kind](ctx), name=f"job-{job.id}")
        self._running[owner] = task
        beat = asyncio.create_task(self._heartbeat(job.id, owner, task, progress, lost))
        bound.info("job.started")
        started = time.perf_counter()
        try:
            payload = await task
        except asyncio.CancelledError:
            if lost.is_set():
                bound.warning("job.lease_lost", detail="cancelled or taken over; work dropped")
                return
            if owner in self._released:
                await self._stop_beat(beat)
                await self._release(job, owner)
                return
            raise
        except LeaseLost:
            bound.warning("job.lease_lost", detail="cancelled or taken over; work dropped")
            metrics.count_job(job.kind, "discarded", time.perf_counter() - started)
            return
        except JobFailure as exc:
            await self._stop_beat(beat)
            bound.info("job.attempt_failed", error=exc.message, retryable=exc.retryable)
            await self._finish(
                job, owner, error=exc.message, retryable=exc.retryable, started=started
            )
        except Exception as exc:
            await self._stop_beat(beat)
            bound.exception("job.crashed")
            message = f"unexpected error: {type(exc).__name__}: {exc}"
            await self._finish(job, owner, error=message, retryable=True, started=started)
        else:
            await self._stop_beat(beat)
            await self._finish(job, owner, result=payload, started=started)
            bound.info("job.succeeded", seconds=round(time.perf_counter() - started, 3))
        finally:
            await self._stop_beat(beat)
            self._running.pop(owner, None)
            self._released.discard(owner)

    @staticmethod
    async def _stop_beat(beat: asyncio.Task[None]) -> None:
        # Called once the job's task is done: the heartbeat ends by itself right away.
        # Never cancel it: cancelled in the middle of a database write, its connection can
        # keep SQLite's write lock, and the job's own result then waits for it in vain.
        await beat

    async def _heartbeat(
        self,
        job_id: int,
        owner: str,
        task: asyncio.Task[dict[str, Any]],
        progress: _Progress,
        lost: asyncio.Event,
    ) -> None:
        renew_every = self.lease_seconds / 3
        last_renewal = time.monotonic()
        finished = asyncio.Event()
        task.add_done_callback(lambda _: finished.set())
        while not task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), min(self.progress_interval, renew_every))
            if task.done():
                return
            update = progress.take()
            if update is None and time.monotonic() - last_renewal < renew_every:
                continue
            try:
                async with self.sessionmaker() as session:
                    held = await service.heartbeat(
                        session, job_id, owner, lease_seconds=self.lease_seconds, progress=update
                    )
                    await session.commit()
            except Exception as exc:  # a database hiccup: the lease may still be valid
                log.warning("job.heartbeat_failed", job_id=job_id, error=repr(exc))
                continue
            if held is None:
                lost.set()
                task.cancel()
                return
            last_renewal = time.monotonic()

    async def _finish(
        self,
        job: ImageProcessingJob,
        owner: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        retryable: bool = False,
        started: float | None = None,
    ) -> None:
        seconds = None if started is None else time.perf_counter() - started
        async with self.sessionmaker() as session:
            if error is None:
                done = await service.mark_succeeded(session, job.id, owner, result or {})
            else:
                done = await service.mark_failed(
                    session, job, owner, error, retryable=retryable, rng=self.rng
                )
            await session.commit()
        if done is None:
            log.warning("job.result_discarded", job_id=job.id, worker=owner, reason="lease lost")
            metrics.count_job(job.kind, "discarded", seconds)
        else:
            self.finished += 1
            outcome = "retry" if done.status == JobStatus.pending.value else str(done.status)
            metrics.count_job(done.kind, outcome, seconds)

    async def _release(self, job: ImageProcessingJob, owner: str) -> None:
        async with self.sessionmaker() as session:
            released = await service.release(session, job, owner)
            await session.commit()
        log.info("job.released", job_id=job.id, worker=owner, released=released is not None)


# --- running it -------------------------------------------------------------------------


async def start_jobs(app: FastAPI) -> Worker | None:
    """From the app's lifespan: the embedded worker, with ``EMBEDDED_WORKER``."""
    settings: Settings = app.state.settings
    if not settings.embedded_worker:
        return None
    worker = Worker(app.state.sessionmaker, settings, app.state.http)
    await worker.start()
    return worker


async def stop_jobs(worker: Worker | None) -> None:
    if worker is not None:
        await worker.stop(grace=10.0)
