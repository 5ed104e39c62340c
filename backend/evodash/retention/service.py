"""Retention: each kind of data has an age after which it is deleted (0 keeps it
forever): messages (per instance too), media files, image jobs, webhook events,
connection history and audit entries. A purge deletes in small batches, each its own
transaction; a dry run only counts. Message rollups keep their history (reports still
show purged days); the dashboard's stored total goes down."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.jobs import media
from evodash.retention.repository import TABLES, RetentionRepository
from evodash.users import audit

log = structlog.get_logger(__name__)

Sessions = async_sessionmaker[AsyncSession]


class KindPurge(BaseModel):
    kind: str
    days: int = Field(description="The age setting (0: kept forever)")
    before: datetime | None = Field(description="Rows older than this go")
    count: int = Field(description="Deleted (or, in a dry run, to delete)")


class PurgeReport(BaseModel):
    dry_run: bool
    kinds: list[KindPurge]


def _cutoff(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days > 0 else None


def ages(settings: Settings) -> dict[str, int]:
    return {
        "messages": settings.retention_messages_days,
        "media_files": settings.retention_media_days,
        "jobs": settings.retention_jobs_days,
        "webhook_events": settings.webhook_event_retention_days,
        "connection_events": settings.retention_connection_events_days,
        "audit_entries": settings.retention_audit_days,
    }


async def _batches(
    sessions: Sessions,
    step: Callable[[RetentionRepository], Awaitable[int]],
    limit: int,
    stopping: asyncio.Event | None,
) -> int:
    """Run ``step`` in its own transaction until it deletes less than ``limit``."""
    total = 0
    while True:
        async with sessions() as session:
            done = await step(RetentionRepository(session))
            await session.commit()
        total += done
        if done < limit or (stopping is not None and stopping.is_set()):
            return total
        await asyncio.sleep(0)  # let requests run between batches


async def _messages(
    sessions: Sessions, now: datetime, days: int, limit: int, dry: bool, stop: asyncio.Event | None
) -> int:
    async with sessions() as session:
        overrides = await RetentionRepository(session).message_overrides()
    total = 0
    # Instances with their own setting first, each on its own index range.
    for instance_id, own in overrides.items():
        cutoff = now - timedelta(days=own)
        if dry:
            async with sessions() as session:
                total += await RetentionRepository(session).count_messages(cutoff, instance_id)
            continue
        total += await _batches(
            sessions,
            lambda r, c=cutoff, i=instance_id: r.delete_messages(c, limit, i),  # type: ignore[misc]
            limit,
            stop,
        )
    default = _cutoff(now, days)
    if default is None:
        return total
    exclude = list(overrides)
    if dry:
        async with sessions() as session:
            return total + await RetentionRepository(session).count_messages(
                default, exclude=exclude
            )
    return total + await _batches(
        sessions, lambda r: r.delete_messages(default, limit, exclude=exclude), limit, stop
    )


async def _jobs_and_media(
    sessions: Sessions,
    settings: Settings,
    kind: str,
    cutoff: datetime,
    dry: bool,
    stop: asyncio.Event | None,
) -> int:
    limit = settings.retention_batch_size
    where = (
        RetentionRepository.media_before(cutoff)
        if kind == "media_files"
        else RetentionRepository.finished_before(cutoff)
    )
    if dry:
        async with sessions() as session:
            return len(await RetentionRepository(session).job_ids(where, 1_000_000))
    total = 0
    while True:
        async with sessions() as session:
            repo = RetentionRepository(session)
            ids = await repo.job_ids(where, limit)
            paths = await repo.paths_of(ids)
            if kind == "media_files":
                await repo.forget_media(ids)
            else:
                await repo.delete_jobs(ids)
            unused = paths - await repo.still_used(paths)
            await session.commit()
        await asyncio.to_thread(_unlink, settings.media_root, unused)
        total += len(ids)
        if len(ids) < limit or (stop is not None and stop.is_set()):
            return total


def _unlink(root: Path, relpaths: set[str]) -> None:
    for relpath in relpaths:
        path = media.resolve(root, relpath)
        if path is not None:
            path.unlink(missing_ok=True)


async def purge(
    sessions: Sessions,
    settings: Settings,
    *,
    dry_run: bool = False,
    stopping: asyncio.Event | None = None,
) -> PurgeReport:
    now = utcnow()
    limit = settings.retention_batch_size
    kinds: list[KindPurge] = []
    for kind, days in ages(settings).items():
        cutoff = _cutoff(now, days)
        if kind == "messages":
            count = await _messages(sessions, now, days, limit, dry_run, stopping)
        elif cutoff is None:
            count = 0
        elif kind in ("media_files", "jobs"):
            count = await _jobs_and_media(sessions, settings, kind, cutoff, dry_run, stopping)
        else:
            table, column = TABLES[kind]
            if dry_run:
                async with sessions() as session:
                    count = await RetentionRepository(session).count_before(column, cutoff)
            else:
                count = await _batches(
                    sessions,
                    lambda r, t=table, c=column, cut=cutoff: r.delete_before(t, c, cut, limit),  # type: ignore[misc]
                    limit,
                    stopping,
                )
        kinds.append(KindPurge(kind=kind, days=days, before=cutoff, count=count))
    report = PurgeReport(dry_run=dry_run, kinds=kinds)
    if not dry_run and any(k.count for k in kinds):
        counts = {k.kind: k.count for k in kinds if k.count}
        async with sessions() as session:
            audit.record(session, None, "retention.purged", username="retention", detail=counts)
            await session.commit()
        log.info("retention.purged", **counts)
    return report
