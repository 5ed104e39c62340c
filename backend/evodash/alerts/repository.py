"""SQL of the alerts domain: the alerts and channels, and the facts each rule reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.alerts.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    AlertProbe,
    AlertRule,
    AlertState,
    SubjectType,
)
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.servers.models import EvolutionServer
from evodash.teams.scope import EVERYTHING, Scope
from evodash.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent

S = TypeVar("S", bound=Select[Any])

ACTIVE = (AlertState.pending.value, AlertState.firing.value)


@dataclass(frozen=True)
class AlertFilter:
    rule: str | None = None
    subject: str | None = None
    state: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    unacknowledged: bool = False
    #: The caller's scope (alerts about what it sees; none about the whole fleet).
    scope: Scope = EVERYTHING


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    if scope.unlimited:
        return true()
    return or_(
        and_(
            Alert.subject_type == SubjectType.instance.value,
            Alert.subject_id.in_(sorted(scope.instance_ids or ())),
        ),
        and_(
            Alert.subject_type == SubjectType.server.value,
            Alert.subject_id.in_(sorted(scope.server_ids or ())),
        ),
    )


class AlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- rules ----------------------------------------------------------------------------

    async def rules(self) -> dict[str, AlertRule]:
        return {r.kind: r for r in (await self.session.scalars(select(AlertRule))).all()}

    async def rule(self, kind: str) -> AlertRule | None:
        return await self.session.get(AlertRule, kind)

    # --- alerts ---------------------------------------------------------------------------

    async def get(self, alert_id: int) -> Alert | None:
        return await self.session.get(Alert, alert_id)

    async def active(self, rule: str) -> dict[str, Alert]:
        """The pending and firing alerts of ``rule``, by subject key."""
        stmt = select(Alert).where(Alert.rule == rule, Alert.state.in_(ACTIVE))
        return {a.subject_key: a for a in (await self.session.scalars(stmt)).all()}

    async def silenced_until(self, rule: str, subject_key: str, now: datetime) -> datetime | None:
        """A silence set on an earlier alert of the same rule and subject, still running."""
        stmt = select(func.max(Alert.silenced_until)).where(
            Alert.rule == rule, Alert.subject_key == subject_key, Alert.silenced_until > now
        )
        value: datetime | None = await self.session.scalar(stmt)
        return value

    def _filtered(self, stmt: S, f: AlertFilter) -> S:
        stmt = stmt.where(_in_scope(f.scope))
        if f.rule:
            stmt = stmt.where(Alert.rule == f.rule)
        if f.subject:
            stmt = stmt.where(Alert.subject_key == f.subject)
        if f.state:
            stmt = stmt.where(Alert.state == f.state)
        else:  # pending alerts are not news yet
            stmt = stmt.where(Alert.state != AlertState.pending.value)
        if f.since:
            stmt = stmt.where(Alert.started_at >= f.since)
        if f.until:
            stmt = stmt.where(Alert.started_at < f.until)
        if f.unacknowledged:
            stmt = stmt.where(Alert.acked_at.is_(None))
        return stmt

    async def page(self, f: AlertFilter, *, offset: int, limit: int) -> tuple[Sequence[Alert], int]:
        total_stmt = self._filtered(select(Alert), f).with_only_columns(func.count(Alert.id))
        total = int((await self.session.execute(total_stmt)).scalar_one())
        stmt = (
            self._filtered(select(Alert), f)
            .order_by(Alert.started_at.desc(), Alert.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.scalars(stmt)).all(), total

    async def firing_counts(self, scope: Scope = EVERYTHING) -> dict[str, tuple[int, int]]:
        """``{rule: (firing, firing and not acknowledged)}``."""
        unacked = Alert.acked_at.is_(None)
        stmt = (
            select(Alert.rule, func.count(Alert.id), func.count(Alert.id).filter(unacked))
            .where(Alert.state == AlertState.firing.value, _in_scope(scope))
            .group_by(Alert.rule)
        )
        return {rule: (n, u) for rule, n, u in (await self.session.execute(stmt)).all()}

    async def deliveries(self, alert_id: int, limit: int = 50) -> Sequence[AlertDelivery]:
        stmt = (
            select(AlertDelivery)
            .where(AlertDelivery.alert_id == alert_id)
            .order_by(AlertDelivery.at.desc(), AlertDelivery.id.desc())
            .limit(limit)
        )
        return (await self.session.scalars(stmt)).all()

    # --- channels -------------------------------------------------------------------------

    async def channels(self, *, enabled_only: bool = False) -> Sequence[AlertChannel]:
        stmt = select(AlertChannel).order_by(AlertChannel.name)
        if enabled_only:
            stmt = stmt.where(AlertChannel.enabled.is_(True))
        return (await self.session.scalars(stmt)).all()

    async def channel(self, channel_id: int) -> AlertChannel | None:
        return await self.session.get(AlertChannel, channel_id)

    async def channel_by_name(self, name: str) -> AlertChannel | None:
        stmt = select(AlertChannel).where(func.lower(AlertChannel.name) == name.lower())
        return (await self.session.scalars(stmt)).first()

    # --- facts the rules read -------------------------------------------------------------

    async def live_instances(self, statuses: Sequence[str]) -> Sequence[EvolutionInstance]:
        stmt = (
            select(EvolutionInstance)
            .where(EvolutionInstance.deleted_at.is_(None), EvolutionInstance.status.in_(statuses))
            .order_by(EvolutionInstance.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def last_transition_at(
        self, ids: Sequence[int], *, previous: str | None = None, state: str | None = None
    ) -> dict[int, datetime]:
        """The latest transition of each instance out of ``previous`` or into ``state``."""
        if not ids:
            return {}
        c = ConnectionEvent
        stmt = select(c.instance_id, func.max(c.at)).where(c.instance_id.in_(ids))
        if previous is not None:
            stmt = stmt.where(c.previous_state == previous)
        if state is not None:
            stmt = stmt.where(c.state == state)
        rows = await self.session.execute(stmt.group_by(c.instance_id))
        return {instance_id: at for instance_id, at in rows.all()}

    async def last_event_at(self, ids: Sequence[int]) -> dict[int, datetime]:
        """When the newest webhook of each instance arrived."""
        if not ids:
            return {}
        w = WebhookEvent
        stmt = (
            select(w.instance_id, func.max(w.received_at))
            .where(w.instance_id.in_(ids))
            .group_by(w.instance_id)
        )
        return {i: at for i, at in (await self.session.execute(stmt)).all() if i is not None}

    async def probes(self, ids: Sequence[int]) -> dict[int, AlertProbe]:
        if not ids:
            return {}
        stmt = select(AlertProbe).where(AlertProbe.instance_id.in_(ids))
        return {p.instance_id: p for p in (await self.session.scalars(stmt)).all()}

    async def transition_counts(self, since: datetime, at_least: int) -> dict[int, int]:
        """Live instances with at least ``at_least`` transitions since ``since``."""
        c, i = ConnectionEvent, EvolutionInstance
        stmt = (
            select(c.instance_id, func.count(c.id))
            .join(i, i.id == c.instance_id)
            .where(c.at >= since, i.deleted_at.is_(None))
            .group_by(c.instance_id)
            .having(func.count(c.id) >= at_least)
        )
        return {instance_id: n for instance_id, n in (await self.session.execute(stmt)).all()}

    async def forward_streaks(self, failures: int, since: datetime) -> dict[int, int]:
        """Instances whose last ``failures`` finished forward attempts (since ``since``)
        all failed: ``{instance id: failures}``."""
        d = WebhookDelivery
        ranked = (
            select(
                d.instance_id,
                d.status,
                func.row_number().over(partition_by=d.instance_id, order_by=d.id.desc()).label("n"),
            )
            .where(d.status != DeliveryStatus.pending.value, d.created_at >= since)
            .subquery()
        )
        failed = ranked.c.status == DeliveryStatus.failed.value
        stmt = (
            select(ranked.c.instance_id, func.count().filter(failed))
            .where(ranked.c.n <= failures)
            .group_by(ranked.c.instance_id)
            .having(and_(func.count() == failures, func.count().filter(failed) == failures))
        )
        return {i: n for i, n in (await self.session.execute(stmt)).all()}

    async def job_outcomes(self, kind: str, since: datetime) -> tuple[int, int]:
        """``(failed, succeeded)`` jobs of ``kind`` finished since ``since``."""
        j = ImageProcessingJob
        failed = j.status == JobStatus.failed.value
        stmt = select(
            func.count(j.id).filter(failed),
            func.count(j.id).filter(j.status == JobStatus.succeeded.value),
        ).where(j.kind == kind, j.finished_at >= since)
        row = (await self.session.execute(stmt)).one()
        return int(row[0]), int(row[1])

    async def servers(self) -> Sequence[EvolutionServer]:
        return (
            await self.session.scalars(select(EvolutionServer).order_by(EvolutionServer.id))
        ).all()

    async def instance(self, instance_id: int) -> EvolutionInstance | None:
        return await self.session.get(EvolutionInstance, instance_id)
