"""SQL of the recovery domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.messages.models import WhatsAppMessage
from evodash.recovery.models import RecoveryRun, RecoveryStatus


class RecoveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, run_id: int) -> RecoveryRun | None:
        return await self.session.get(RecoveryRun, run_id)

    async def latest(self, instance_id: int, limit: int) -> Sequence[RecoveryRun]:
        stmt = (
            select(RecoveryRun)
            .where(RecoveryRun.instance_id == instance_id)
            .order_by(RecoveryRun.started_at.desc(), RecoveryRun.id.desc())
            .limit(limit)
        )
        return (await self.session.scalars(stmt)).all()

    async def newest_message_time(self, instance_id: int) -> datetime | None:
        m = WhatsAppMessage
        stmt = select(func.max(m.wa_timestamp)).where(m.instance_id == instance_id)
        value: datetime | None = await self.session.scalar(stmt)
        return value

    async def give_up_silent(self, instance_id: int | None, silent_since: datetime) -> int:
        """Mark failed the running passes without a heartbeat since ``silent_since``
        (their process stopped); the number marked."""
        r = RecoveryRun
        stmt = (
            update(r)
            .where(r.status == RecoveryStatus.running.value, r.heartbeat_at < silent_since)
            .values(
                status=RecoveryStatus.failed.value,
                error="interrupted: the process running it stopped",
                finished_at=silent_since,
            )
            .execution_options(synchronize_session=False)
        )
        if instance_id is not None:
            stmt = stmt.where(r.instance_id == instance_id)
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)

    async def ever_connected(self) -> Sequence[int]:
        """Live instances that were open at least once (they may have messages)."""
        i = EvolutionInstance
        stmt = (
            select(i.id).where(i.deleted_at.is_(None), i.connected_at.is_not(None)).order_by(i.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def reconnected(self) -> Sequence[int]:
        """Open instances that connected after their last pass started (or never had one)."""
        i, r = EvolutionInstance, RecoveryRun
        last = (
            select(func.max(r.started_at))
            .where(r.instance_id == i.id)
            .correlate(i)
            .scalar_subquery()
        )
        stmt = (
            select(i.id)
            .where(
                i.deleted_at.is_(None),
                i.status == InstanceStatus.open.value,
                i.connected_at.is_not(None),
                (last.is_(None)) | (i.connected_at > last),
            )
            .order_by(i.id)
        )
        return (await self.session.scalars(stmt)).all()
