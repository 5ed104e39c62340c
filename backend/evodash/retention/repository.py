"""Batched deletes for retention: each call removes at most ``limit`` rows, chosen by
primary key through an index on the age column, in its own short transaction (the
caller commits after each batch), so no lock is held for long and webhooks keep being
stored meanwhile."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.messages.models import WhatsAppMessage
from evodash.users.models import AuditLog
from evodash.webhooks.models import WebhookDelivery, WebhookEvent

FINISHED = (JobStatus.succeeded.value, JobStatus.failed.value, JobStatus.cancelled.value)


class RetentionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def message_overrides(self) -> dict[int, int]:
        """``{instance_id: days}`` of instances with their own message retention."""
        i = EvolutionInstance
        stmt = select(i.id, i.message_retention_days).where(i.message_retention_days.is_not(None))
        return {ident: int(days or 0) for ident, days in (await self.session.execute(stmt)).all()}

    @staticmethod
    def _messages_where(
        cutoff: datetime, instance_id: int | None, exclude: Sequence[int]
    ) -> list[Any]:
        m = WhatsAppMessage
        where: list[Any] = [m.wa_timestamp < cutoff]
        if instance_id is not None:
            where.append(m.instance_id == instance_id)
        elif exclude:
            where.append(m.instance_id.not_in(list(exclude)))
        return where

    async def count_messages(
        self, cutoff: datetime, instance_id: int | None = None, exclude: Sequence[int] = ()
    ) -> int:
        where = self._messages_where(cutoff, instance_id, exclude)
        stmt = select(func.count()).select_from(WhatsAppMessage).where(*where)
        return int((await self.session.execute(stmt)).scalar_one())

    async def delete_messages(
        self,
        cutoff: datetime,
        limit: int,
        instance_id: int | None = None,
        exclude: Sequence[int] = (),
    ) -> int:
        m = WhatsAppMessage
        where = self._messages_where(cutoff, instance_id, exclude)
        ids = (await self.session.scalars(select(m.id).where(*where).limit(limit))).all()
        if ids:
            await self.session.execute(
                delete(m).where(m.id.in_(ids)).execution_options(synchronize_session=False)
            )
        return len(ids)

    async def count_before(self, column: Any, cutoff: datetime, *extra: Any) -> int:
        stmt = select(func.count()).where(column < cutoff, *extra)
        return int((await self.session.execute(stmt)).scalar_one())

    async def delete_before(
        self, table: Any, column: Any, cutoff: datetime, limit: int, *extra: Any
    ) -> int:
        ids = (
            await self.session.scalars(select(table.id).where(column < cutoff, *extra).limit(limit))
        ).all()
        if ids:
            if table is WebhookEvent:  # deliveries go with their event
                await self.session.execute(
                    delete(WebhookDelivery)
                    .where(WebhookDelivery.event_id.in_(ids))
                    .execution_options(synchronize_session=False)
                )
            await self.session.execute(
                delete(table).where(table.id.in_(ids)).execution_options(synchronize_session=False)
            )
        return len(ids)

    # --- jobs and their media ---------------------------------------------------------

    @staticmethod
    def finished_before(cutoff: datetime) -> list[Any]:
        j = ImageProcessingJob
        return [j.created_at < cutoff, j.status.in_(FINISHED)]

    @staticmethod
    def media_before(cutoff: datetime) -> list[Any]:
        j = ImageProcessingJob
        return [
            j.created_at < cutoff,
            j.status.in_(FINISHED),
            or_(j.media_path.is_not(None), j.thumbnail_path.is_not(None)),
        ]

    async def paths_of(self, ids: Sequence[int]) -> set[str]:
        j = ImageProcessingJob
        rows = (
            await self.session.execute(select(j.media_path, j.thumbnail_path).where(j.id.in_(ids)))
        ).all()
        return {p for row in rows for p in row if p}

    async def job_ids(self, where: list[Any], limit: int) -> list[int]:
        stmt = select(ImageProcessingJob.id).where(*where).limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def forget_media(self, ids: Sequence[int]) -> None:
        j = ImageProcessingJob
        await self.session.execute(
            update(j)
            .where(j.id.in_(ids))
            .values(media_path=None, thumbnail_path=None)
            .execution_options(synchronize_session=False)
        )

    async def delete_jobs(self, ids: Sequence[int]) -> None:
        j = ImageProcessingJob
        await self.session.execute(
            delete(j).where(j.id.in_(ids)).execution_options(synchronize_session=False)
        )

    async def still_used(self, paths: set[str]) -> set[str]:
        """Of ``paths`` (content-addressed: jobs of the same image share them), those
        another job still references."""
        if not paths:
            return set()
        j = ImageProcessingJob
        stmt = select(j.media_path, j.thumbnail_path).where(
            or_(j.media_path.in_(paths), j.thumbnail_path.in_(paths))
        )
        return {p for row in (await self.session.execute(stmt)).all() for p in row if p} & paths


TABLES = {
    "webhook_events": (WebhookEvent, WebhookEvent.received_at),
    "connection_events": (ConnectionEvent, ConnectionEvent.at),
    "audit_entries": (AuditLog, AuditLog.created_at),
}
