"""The dashboard's figures: small aggregate queries that stay on indexes.

Message figures only read the last 24 hours through ``ix_whatsapp_message_ts``, and the
newest rows through the (timestamp, id) indexes, so they stay fast with millions of rows.
The all-time message total is the sum of ``message_hourly.stored``, which database
triggers keep exact on every insert and delete (a ``count(*)`` took 50-85 ms at a million
rows on PostgreSQL; the primary key's max is no count: sequences move on for rolled-back
inserts and skipped duplicates, and retention deletes rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import WhatsAppMessage
from evodash.reports.repository import stored_message_total
from evodash.servers.models import EvolutionServer
from evodash.teams.scope import EVERYTHING, Scope


class StatsRepository:
    """The figures of what ``scope`` sees (everything by default)."""

    def __init__(self, session: AsyncSession, scope: Scope = EVERYTHING) -> None:
        self.session = session
        self.scope = scope

    async def server_counts(self) -> tuple[int, int]:
        stmt = select(
            func.count(EvolutionServer.id),
            func.coalesce(func.sum(case((EvolutionServer.is_reachable.is_(False), 1), else_=0)), 0),
        ).where(self.scope.servers(EvolutionServer.id))
        total, unreachable = (await self.session.execute(stmt)).one()
        return int(total), int(unreachable)

    async def instances_by_status(self) -> dict[str, int]:
        # A deleted instance keeps its row for its history; it is no longer an instance.
        stmt = (
            select(EvolutionInstance.status, func.count())
            .where(
                EvolutionInstance.deleted_at.is_(None),
                self.scope.instances(EvolutionInstance.id),
            )
            .group_by(EvolutionInstance.status)
        )
        return {status: int(n) for status, n in (await self.session.execute(stmt)).all()}

    async def jobs_by_status(self) -> dict[str, int]:
        stmt = select(ImageProcessingJob.status, func.count()).group_by(ImageProcessingJob.status)
        if not self.scope.unlimited:
            stmt = stmt.where(self.scope.instances(ImageProcessingJob.instance_id))
        return {status: int(n) for status, n in (await self.session.execute(stmt)).all()}

    async def message_total(self) -> int:
        return await stored_message_total(self.session, self.scope.instance_ids)

    async def hourly_counts(
        self, since: datetime, until: datetime | None = None
    ) -> list[tuple[datetime, str, bool, int]]:
        """Message counts per (hour, direction, allowed) in [since, until): an index-only
        scan of ``ix_whatsapp_message_ts_stats``, at most 4 rows an hour."""
        ts = WhatsAppMessage.wa_timestamp
        if self.session.get_bind().dialect.name == "postgresql":
            hour: Any = func.date_trunc("hour", ts)
        else:
            # Stored as 'YYYY-MM-DD HH:MM:SS…' text: the first 13 characters are the hour.
            hour = func.substr(ts, 1, 13)
        stmt = (
            select(hour, WhatsAppMessage.direction, WhatsAppMessage.is_allowed, func.count())
            .where(ts >= since, *([ts < until] if until is not None else []))
            .where(self.scope.instances(WhatsAppMessage.instance_id))
            .group_by(hour, WhatsAppMessage.direction, WhatsAppMessage.is_allowed)
        )
        rows = []
        for bucket, direction, allowed, count in (await self.session.execute(stmt)).all():
            if isinstance(bucket, str):
                bucket = datetime.fromisoformat(bucket + ":00").replace(tzinfo=UTC)
            elif bucket.tzinfo is None:
                bucket = bucket.replace(tzinfo=UTC)
            rows.append((bucket, str(direction), bool(allowed), int(count)))
        return rows

    async def recent_instances(self, limit: int) -> Sequence[EvolutionInstance]:
        stmt = (
            select(EvolutionInstance)
            .where(
                EvolutionInstance.deleted_at.is_(None),
                self.scope.instances(EvolutionInstance.id),
            )
            .order_by(EvolutionInstance.created_at.desc(), EvolutionInstance.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def latest_messages(self, limit: int) -> Sequence[Row[WhatsAppMessage, str]]:
        stmt = (
            select(WhatsAppMessage, EvolutionInstance.display_name)
            .join(EvolutionInstance, EvolutionInstance.id == WhatsAppMessage.instance_id)
            .where(self.scope.instances(WhatsAppMessage.instance_id))
            .order_by(WhatsAppMessage.wa_timestamp.desc(), WhatsAppMessage.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(stmt)).all()

    async def latest_connection_events(self, limit: int) -> Sequence[Row[ConnectionEvent, str]]:
        stmt = (
            select(ConnectionEvent, EvolutionInstance.display_name)
            .join(EvolutionInstance, EvolutionInstance.id == ConnectionEvent.instance_id)
            .where(self.scope.instances(ConnectionEvent.instance_id))
            .order_by(ConnectionEvent.at.desc(), ConnectionEvent.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(stmt)).all()
