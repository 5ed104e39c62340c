"""Rules of image processing jobs: enqueue, state changes, retry and cancel.

Services ``flush()``, never ``commit()``: the request dependency commits API actions,
and the worker commits each of its own steps. Every change of state or progress emits a
``job.updated`` realtime event, published once the change is committed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core import retry
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.jobs import media, repository, wakeup
from evodash.jobs.errors import JobFileNotFound, JobNotFound, JobStateConflict
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.jobs.schemas import JobCounts, JobDetail, JobFilters, JobRead
from evodash.messages.models import WhatsAppMessage
from evodash.realtime import emit
from evodash.realtime.events import JobUpdatedEvent
from evodash.users import audit
from evodash.users.models import User

log = structlog.get_logger(__name__)

INVOICE_KIND = "invoice"
FORWARD_KIND = repository.FORWARD_KIND
INTERNAL_KINDS = repository.INTERNAL_KINDS
#: Retry delay after failed attempt n: base·2^(n-1), capped, then ± jitter.
RETRY_BASE_SECONDS = 10.0
RETRY_MAX_SECONDS = 15 * 60.0
RETRY_JITTER = 0.2


def backoff_seconds(
    attempt: int,
    *,
    base: float = RETRY_BASE_SECONDS,
    cap: float = RETRY_MAX_SECONDS,
    jitter: float = RETRY_JITTER,
    rng: random.Random | None = None,
) -> float:
    """The delay before the next attempt of a job (:func:`evodash.core.retry.backoff_seconds`
    with the queue's base and cap)."""
    return retry.backoff_seconds(attempt, base=base, cap=cap, jitter=jitter, rng=rng)


# --- reading ------------------------------------------------------------------------------


def _urls(job: ImageProcessingJob) -> dict[str, str | None]:
    stored = job.media_path is not None and job.media_mimetype is not None
    return {
        "image_url": f"/api/jobs/{job.id}/image" if stored else None,
        "thumbnail_url": f"/api/jobs/{job.id}/thumbnail" if job.thumbnail_path else None,
        "summary": (job.result or {}).get("summary_text"),
    }


def to_read(job: ImageProcessingJob) -> JobRead:
    return JobRead.model_validate(job).model_copy(update=_urls(job))


def to_detail(job: ImageProcessingJob) -> JobDetail:
    return JobDetail.model_validate(job).model_copy(update=_urls(job))


def emit_job(session: AsyncSession, job: ImageProcessingJob) -> None:
    if job.kind not in INTERNAL_KINDS:
        emit(session, JobUpdatedEvent(data=to_read(job)))


async def get_job(session: AsyncSession, job_id: int) -> ImageProcessingJob:
    job = await repository.get(session, job_id)
    if job is None or job.kind in INTERNAL_KINDS:
        raise JobNotFound(job_id)
    return job


async def list_jobs(
    session: AsyncSession, filters: JobFilters, *, offset: int, limit: int
) -> tuple[list[JobRead], int]:
    rows, total = await repository.list_page(session, filters, offset=offset, limit=limit)
    return [to_read(job) for job in rows], total


async def job_counts(session: AsyncSession, filters: JobFilters) -> JobCounts:
    counts = await repository.count_by_status(session, filters)
    known = {s.value: counts.get(s.value, 0) for s in JobStatus}
    return JobCounts(**known, total=sum(counts.values()))


async def job_file(
    job: ImageProcessingJob, which: Literal["image", "thumbnail"], root: Path
) -> tuple[Path, str]:
    """The stored original or thumbnail of ``job`` and its content type."""
    if which == "image":
        relpath, mimetype = job.media_path, job.media_mimetype
    else:
        relpath, mimetype = job.thumbnail_path, media.THUMB_MIMETYPE
    # Only a checked image has a mimetype: unchecked bytes are never served.
    path = await media.existing(root, relpath) if mimetype else None
    if path is None or mimetype is None:
        raise JobFileNotFound("image" if which == "image" else "thumbnail")
    return path, mimetype


# --- enqueue -------------------------------------------------------------------------------


def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    instance_id: int | None = None,
    run_after: datetime | None = None,
    max_attempts: int = 3,
) -> ImageProcessingJob:
    """Queue a job of ``kind`` (a handler registered with the workers), in the caller's
    transaction: it exists only if that transaction commits."""
    job = ImageProcessingJob(
        kind=kind,
        payload=payload,
        instance_id=instance_id,
        status=JobStatus.pending.value,
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or utcnow(),
        progress=0,
        progress_message="queued",
    )
    session.add(job)
    wakeup.queued(session)
    return job


async def enqueue_image_job(
    session: AsyncSession,
    *,
    message: WhatsAppMessage,
    media_base64: str | None,
    settings: Settings,
) -> ImageProcessingJob:
    """Queue the processing of an image message (the webhook handler calls this).

    With ``media_base64`` (the webhook's ``data.message.base64``) the bytes are stored
    under ``MEDIA_ROOT`` now; without it the worker downloads them later through
    ``getBase64FromMediaMessage``. A message that already has a job gets that job back.
    """
    existing = await repository.find_for_message(session, message.id)
    if existing is not None:
        return existing
    job = ImageProcessingJob(
        message_id=message.id,
        instance_id=message.instance_id,
        kind=INVOICE_KIND,
        status=JobStatus.pending.value,
        attempts=0,
        max_attempts=settings.job_max_attempts,
        run_after=utcnow(),
        progress=0,
        progress_message="queued",
    )
    if await _sender_over_limit(session, message, settings):
        # Each image costs seconds of CPU and up to MAX_IMAGE_PIXELS of memory: one sender
        # cannot queue more than this many an hour. The job is kept, failed, so an
        # operator sees why and can retry it; its bytes are not even stored.
        limit = settings.image_jobs_per_sender_per_hour
        job.status = JobStatus.failed.value
        job.error = (
            f"not processed: this sender sent more than {limit} images in the last hour "
            "(IMAGE_JOBS_PER_SENDER_PER_HOUR); retry the job to process it"
        )
        job.finished_at = utcnow()
        job.progress_message = "rate limited"
    elif media_base64:
        await _attach_base64(job, media_base64, settings)
    session.add(job)
    await session.flush()
    if job.status == JobStatus.pending.value:
        wakeup.queued(session)
    emit_job(session, job)
    log.info("job.enqueued", job_id=job.id, message_id=message.id, status=job.status)
    return job


async def _sender_over_limit(
    session: AsyncSession, message: WhatsAppMessage, settings: Settings
) -> bool:
    limit = settings.image_jobs_per_sender_per_hour
    if limit <= 0:
        return False
    since = utcnow() - timedelta(hours=1)
    return await repository.count_recent_for_sender(session, message, since) >= limit


async def _attach_base64(job: ImageProcessingJob, media_base64: str, settings: Settings) -> None:
    try:
        relpath, digest, size = await media.decode_and_store(
            settings.media_root, media_base64, max_bytes=settings.max_image_bytes
        )
    except media.MediaTooLarge as exc:
        # Retrying cannot make it smaller: fail now, with the reason.
        job.status = JobStatus.failed.value
        job.error = f"invalid image: {exc}"
        job.finished_at = utcnow()
        job.progress_message = "media"
        return
    except ValueError as exc:
        log.warning("job.bad_webhook_base64", message_id=job.message_id, error=str(exc))
        return  # the worker downloads the media from Evolution instead
    job.media_path, job.media_sha256 = relpath, digest
    log.debug("job.media_stored", sha256=digest, size=size)


# --- API actions ---------------------------------------------------------------------------

_RETRYABLE = (JobStatus.failed, JobStatus.cancelled, JobStatus.succeeded)
_CANCELLABLE = (JobStatus.pending, JobStatus.running)


async def retry_job(
    session: AsyncSession, job_id: int, *, actor: User, ip: str | None = None
) -> ImageProcessingJob:
    """Run a finished job again from the start, with a fresh set of attempts."""
    job = await get_job(session, job_id)
    updated = await repository.update_if_status(
        session,
        job_id,
        _RETRYABLE,
        {
            "status": JobStatus.pending.value,
            "attempts": 0,
            "run_after": utcnow(),
            "error": None,
            "progress": 0,
            "progress_message": "queued again",
            "lease_owner": None,
            "lease_expires_at": None,
            "finished_at": None,
        },
    )
    if updated is None:
        raise JobStateConflict("retry", job.status)
    audit.record(session, actor, "job.retry", object_type="job", object_id=job_id, ip=ip)
    wakeup.queued(session)
    emit_job(session, updated)
    return updated


async def cancel_job(
    session: AsyncSession, job_id: int, *, actor: User, ip: str | None = None
) -> ImageProcessingJob:
    """Stop a queued or running job. A running worker notices at its next heartbeat and
    drops its work; its late writes are refused (they compare the lease owner)."""
    job = await get_job(session, job_id)
    updated = await repository.update_if_status(
        session,
        job_id,
        _CANCELLABLE,
        {
            "status": JobStatus.cancelled.value,
            "lease_owner": None,
            "lease_expires_at": None,
            "finished_at": utcnow(),
            "error": f"cancelled by {actor.username}",
        },
    )
    if updated is None:
        raise JobStateConflict("cancel", job.status)
    audit.record(session, actor, "job.cancel", object_type="job", object_id=job_id, ip=ip)
    emit_job(session, updated)
    return updated


# --- worker transitions (each guarded by the lease owner) -----------------------------------


async def claim_job(
    session: AsyncSession,
    *,
    owner: str,
    lease_seconds: float,
    kinds: list[str] | None = None,
    now: datetime | None = None,
) -> ImageProcessingJob | None:
    job = await repository.claim_next(
        session, owner=owner, now=now or utcnow(), lease_seconds=lease_seconds, kinds=kinds
    )
    if job is not None:
        emit_job(session, job)
    return job


async def heartbeat(
    session: AsyncSession,
    job_id: int,
    owner: str,
    *,
    lease_seconds: float,
    progress: tuple[int, str] | None = None,
) -> ImageProcessingJob | None:
    """Extend the lease (and save progress). ``None``: the lease is lost, stop working."""
    values: dict[str, Any] = {"lease_expires_at": utcnow() + timedelta(seconds=lease_seconds)}
    if progress is not None:
        values["progress"] = max(0, min(progress[0], 100))
        values["progress_message"] = progress[1][:200]
    job = await repository.update_owned(session, job_id, owner, values)
    if job is not None and progress is not None:
        emit_job(session, job)
    return job


async def save_fields(
    session: AsyncSession, job_id: int, owner: str, values: dict[str, Any]
) -> ImageProcessingJob | None:
    job = await repository.update_owned(session, job_id, owner, values)
    if job is not None:
        emit_job(session, job)
    return job


async def mark_succeeded(
    session: AsyncSession, job_id: int, owner: str, result: dict[str, Any]
) -> ImageProcessingJob | None:
    job = await _save_succeeded(session, job_id, owner, result)
    if job is not None:
        # Imported here: the ledger builds on jobs, not the other way round.
        from evodash.ledger.service import record_from_job

        await record_from_job(session, job)
    return job


async def _save_succeeded(
    session: AsyncSession, job_id: int, owner: str, result: dict[str, Any]
) -> ImageProcessingJob | None:
    return await save_fields(
        session,
        job_id,
        owner,
        {
            "status": JobStatus.succeeded.value,
            "result": result,
            "error": None,
            "progress": 100,
            "progress_message": "done",
            "lease_owner": None,
            "lease_expires_at": None,
            "finished_at": utcnow(),
        },
    )


async def mark_failed(
    session: AsyncSession,
    job: ImageProcessingJob,
    owner: str,
    error: str,
    *,
    retryable: bool,
    rng: random.Random | None = None,
) -> ImageProcessingJob | None:
    """Fail the attempt: back to pending after a backoff, or failed for good."""
    values: dict[str, Any] = {"error": error[:4000], "lease_owner": None, "lease_expires_at": None}
    if retryable and job.attempts < job.max_attempts:
        delay = backoff_seconds(job.attempts, rng=rng)
        values |= {
            "status": JobStatus.pending.value,
            "run_after": utcnow() + timedelta(seconds=delay),
            "progress_message": f"retrying in {delay:.0f} s",
        }
    else:
        values |= {"status": JobStatus.failed.value, "finished_at": utcnow()}
    return await save_fields(session, job.id, owner, values)


async def release(
    session: AsyncSession, job: ImageProcessingJob, owner: str
) -> ImageProcessingJob | None:
    """Give a job back untouched (graceful shutdown): the attempt does not count."""
    return await save_fields(
        session,
        job.id,
        owner,
        {
            "status": JobStatus.pending.value,
            "attempts": max(job.attempts - 1, 0),
            "run_after": utcnow(),
            "lease_owner": None,
            "lease_expires_at": None,
            "progress": 0,
            "progress_message": "released by a stopping worker",
        },
    )
