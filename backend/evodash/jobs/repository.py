"""SQL of the job queue. The table ``image_processing_job`` *is* the queue.

Claiming is one atomic statement, ``UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING``:

* on PostgreSQL the sub-select has ``FOR UPDATE SKIP LOCKED``, so any number of worker
  processes claim different rows without waiting for each other;
* on SQLite a write statement takes the database's write lock before it reads, so the
  sub-select and the update see the same state (one writer at a time; ``busy_timeout``
  makes the others wait). Nothing may be read in the same transaction before the claim.

Every later write of a worker (heartbeat, progress, finish) is a compare-and-set on
``lease_owner``: a worker that lost its lease (it stalled, another worker took the job
over, someone cancelled it) changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import EvolutionInstance
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.jobs.schemas import JobFilters
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer

Job = ImageProcessingJob
#: Forward attempts (:mod:`evodash.webhooks.forwarding`).
FORWARD_KIND = "forward"
#: The queue's own work, followed where it belongs (``webhook_delivery``): the jobs API
#: and the SPA do not show these kinds.
INTERNAL_KINDS = (FORWARD_KIND,)


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Job.status == JobStatus.pending.value, Job.run_after <= now),
        and_(Job.status == JobStatus.running.value, Job.lease_expires_at < now),
    )


async def claim_next(
    session: AsyncSession,
    *,
    owner: str,
    now: datetime,
    lease_seconds: float,
    kinds: Sequence[str] | None = None,
) -> Job | None:
    """Take the oldest due job (pending and due, or running with an expired lease)."""
    pick = select(Job.id).where(_due(now)).order_by(Job.run_after, Job.id).limit(1)
    if kinds is not None:
        pick = pick.where(Job.kind.in_(list(kinds)))
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(Job)
        .where(Job.id == pick.scalar_subquery(), _due(now))
        .values(
            status=JobStatus.running.value,
            attempts=Job.attempts + 1,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            started_at=now,
            finished_at=None,
            progress=0,
            progress_message="claimed",
        )
        .returning(Job)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return (await session.execute(stmt)).scalars().first()


async def update_owned(
    session: AsyncSession, job_id: int, owner: str, values: dict[str, Any]
) -> Job | None:
    """Write ``values`` only while ``owner`` still holds the lease of a running job."""
    stmt = (
        update(Job)
        .where(
            Job.id == job_id,
            Job.lease_owner == owner,
            Job.status == JobStatus.running.value,
        )
        .values(**values)
        .returning(Job)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return (await session.execute(stmt)).scalars().first()


async def update_if_status(
    session: AsyncSession, job_id: int, statuses: Sequence[JobStatus], values: dict[str, Any]
) -> Job | None:
    """Write ``values`` only if the job is still in one of ``statuses`` (API actions)."""
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.status.in_([s.value for s in statuses]))
        .values(**values)
        .returning(Job)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return (await session.execute(stmt)).scalars().first()


async def get(session: AsyncSession, job_id: int) -> Job | None:
    return await session.get(Job, job_id, populate_existing=True)


async def count_recent_for_sender(
    session: AsyncSession, message: WhatsAppMessage, since: datetime
) -> int:
    """Jobs created since ``since`` for messages of ``message``'s sender on its instance."""
    sender: ColumnElement[bool]
    if message.sender_phone:
        sender = WhatsAppMessage.sender_phone == message.sender_phone
    elif message.participant:
        sender = WhatsAppMessage.participant == message.participant
    else:
        sender = WhatsAppMessage.remote_jid == message.remote_jid
    stmt = (
        select(func.count(Job.id))
        .join(WhatsAppMessage, WhatsAppMessage.id == Job.message_id)
        .where(
            WhatsAppMessage.instance_id == message.instance_id,
            sender,
            Job.created_at >= since,
        )
    )
    return int((await session.execute(stmt)).scalar_one())


async def find_for_message(session: AsyncSession, message_id: int) -> Job | None:
    stmt = select(Job).where(Job.message_id == message_id).order_by(Job.id.desc()).limit(1)
    return (await session.execute(stmt)).scalars().first()


def _filtered(stmt: Any, filters: JobFilters, *, with_status: bool = True) -> Any:
    stmt = stmt.where(Job.kind.not_in(INTERNAL_KINDS))
    if with_status and filters.statuses:
        stmt = stmt.where(Job.status.in_([s.value for s in filters.statuses]))
    if filters.instance_id is not None:
        stmt = stmt.where(Job.instance_id == filters.instance_id)
    if filters.instance_ids is not None:
        stmt = stmt.where(Job.instance_id.in_(sorted(filters.instance_ids)))
    if filters.created_from is not None:
        stmt = stmt.where(Job.created_at >= filters.created_from)
    if filters.created_to is not None:
        stmt = stmt.where(Job.created_at < filters.created_to)
    return stmt


async def list_page(
    session: AsyncSession, filters: JobFilters, *, offset: int, limit: int
) -> tuple[list[Job], int]:
    total_stmt = _filtered(select(func.count()).select_from(Job), filters)
    total = int((await session.execute(total_stmt)).scalar_one())
    stmt = _filtered(select(Job), filters).order_by(Job.created_at.desc(), Job.id.desc())
    rows = (await session.execute(stmt.offset(offset).limit(limit))).scalars().all()
    return list(rows), total


async def count_by_status(session: AsyncSession, filters: JobFilters) -> dict[str, int]:
    stmt = _filtered(
        select(Job.status, func.count()).group_by(Job.status), filters, with_status=False
    )
    return {status: int(n) for status, n in (await session.execute(stmt)).all()}


async def load_source(
    session: AsyncSession, message_id: int
) -> tuple[WhatsAppMessage, EvolutionInstance, EvolutionServer] | None:
    """The message of a job with its instance and server (for media download and reply)."""
    stmt = (
        select(WhatsAppMessage, EvolutionInstance, EvolutionServer)
        .join(EvolutionInstance, EvolutionInstance.id == WhatsAppMessage.instance_id)
        .join(EvolutionServer, EvolutionServer.id == EvolutionInstance.server_id)
        .where(WhatsAppMessage.id == message_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1], row[2])
