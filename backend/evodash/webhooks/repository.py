"""SQL for the event inbox and the forwarding attempts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.webhooks.models import (
    DeliveryStatus,
    EventStatus,
    WebhookDelivery,
    WebhookEvent,
    status_is,
)


def _filtered(
    stmt: Any,
    instance_id: int | None,
    status: EventStatus | None,
    event: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Any:
    e = WebhookEvent
    if instance_id is not None:
        stmt = stmt.where(e.instance_id == instance_id)
    if status is not None:
        stmt = stmt.where(status_is(status))
    if event:
        stmt = stmt.where(e.event == event)
    if since is not None:
        stmt = stmt.where(e.received_at >= since)
    if until is not None:
        stmt = stmt.where(e.received_at <= until)
    return stmt


# The applier's statements, built once: it runs each of them several hundred times a
# second, and building one (coercing every id of an IN list) cost more than running it.
_E = WebhookEvent
_FIRST = func.min(_E.id)
_RECEIVED = status_is(EventStatus.received)
_WAITING_INSTANCES = (
    select(_E.instance_id, _FIRST)
    .where(_RECEIVED, _E.instance_id.is_not(None))
    .group_by(_E.instance_id)
    .order_by(_FIRST)
    .limit(bindparam("limit"))
)
_WAITING = (
    select(_E.id, _E.instance_id, _E.event, _E.received_at)
    .where(_RECEIVED, _E.instance_id.in_(bindparam("instance_ids", expanding=True)))
    .order_by(_E.id)
    .limit(bindparam("limit"))
)
_OLDEST_WAITING = (
    select(_E.id, _E.instance_id, _E.event, _E.received_at)
    .where(_RECEIVED, _E.instance_id.is_not(None))
    .order_by(_E.id)
    .limit(bindparam("limit"))
)
_BODIES = select(_E.id, _E.body).where(_E.id.in_(bindparam("ids", expanding=True)))
_DEFERRED = (
    select(_E.id, _E.instance_id, _E.event, _E.body, _E.received_at)
    .where(
        status_is(EventStatus.deferred),
        _E.instance_id == bindparam("instance_id"),
        _E.event.in_(bindparam("kinds", expanding=True)),
    )
    .order_by(_E.id)
)
_RECORD = (
    update(_E)
    .where(_E.id.in_(bindparam("ids", expanding=True)))
    .values(
        status=bindparam("outcome"),
        error=bindparam("reason"),
        attempts=_E.attempts + 1,
        processed_at=bindparam("at", type_=_E.processed_at.type),
    )
    .execution_options(synchronize_session=False)
)


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, event: WebhookEvent) -> None:
        self.session.add(event)

    async def get(self, event_id: int) -> WebhookEvent | None:
        return await self.session.get(WebhookEvent, event_id)

    async def waiting_instances(self, limit: int) -> list[int]:
        """Instances with events waiting to be applied, the longest waiting first."""
        rows = await self.session.execute(_WAITING_INSTANCES, {"limit": limit})
        return [row[0] for row in rows.all() if row[0] is not None]

    async def waiting(
        self, instance_ids: Sequence[int], limit: int
    ) -> Sequence[Row[int, int | None, str, datetime]]:
        """The instances' events waiting to be applied, oldest first: ``(id, instance_id,
        event, received_at)`` (their bodies: :meth:`bodies`)."""
        params = {"instance_ids": list(instance_ids), "limit": limit}
        return (await self.session.execute(_WAITING, params)).all()

    async def oldest_waiting(self, limit: int) -> Sequence[Row[int, int | None, str, datetime]]:
        """The events waiting to be applied, oldest first, of every instance (the columns
        of :meth:`waiting`)."""
        return (await self.session.execute(_OLDEST_WAITING, {"limit": limit})).all()

    async def bodies(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        rows = await self.session.execute(_BODIES, {"ids": list(ids)})
        return {row[0]: row[1] for row in rows.all()}

    async def deferred_rows(
        self, instance_id: int, kinds: Iterable[str]
    ) -> Sequence[Row[tuple[int, int, str, Any, datetime]]]:
        """The instance's events waiting for a message, oldest first (same columns as
        :meth:`waiting`)."""
        params = {"instance_id": instance_id, "kinds": list(kinds)}
        return (await self.session.execute(_DEFERRED, params)).all()

    async def record_outcomes(
        self, outcomes: Iterable[tuple[int, str, str | None]], at: datetime
    ) -> None:
        """Set ``(id, status, error)`` of applied events: one UPDATE per distinct outcome."""
        groups: dict[tuple[str, str | None], list[int]] = {}
        for event_id, status, error in outcomes:
            groups.setdefault((status, error), []).append(event_id)
        for (status, error), ids in groups.items():
            params = {"ids": ids, "outcome": status, "reason": error, "at": at}
            await self.session.execute(_RECORD, params)

    async def deferred_ids(self, received_before: datetime, limit: int) -> Sequence[int]:
        stmt = (
            select(WebhookEvent.id)
            .where(status_is(EventStatus.deferred), WebhookEvent.received_at < received_before)
            .order_by(WebhookEvent.id)
            .limit(limit)
        )
        return (await self.session.scalars(stmt)).all()

    async def page(
        self,
        *,
        instance_id: int | None,
        status: EventStatus | None,
        event: str | None,
        after: tuple[datetime, int] | None,
        limit: int,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[WebhookEvent]:
        e = WebhookEvent
        stmt = _filtered(select(e), instance_id, status, event, since, until)
        if after is not None:
            stmt = stmt.where(tuple_(e.received_at, e.id) < tuple_(*after))
        stmt = stmt.order_by(e.received_at.desc(), e.id.desc()).limit(limit)
        return (await self.session.scalars(stmt)).all()

    async def matching_ids(
        self,
        *,
        instance_id: int | None,
        status: EventStatus | None,
        event: str | None,
        since: datetime | None,
        until: datetime | None,
        ids: Sequence[int] | None,
        limit: int,
    ) -> list[int]:
        """The ids of the events that match, oldest first (at most ``limit``)."""
        e = WebhookEvent
        stmt = _filtered(select(e.id), instance_id, status, event, since, until)
        if ids is not None:
            stmt = stmt.where(e.id.in_(list(ids)))
        # Oldest first, in the order of the indexes that serve it (failed events: their own).
        stmt = stmt.order_by(e.received_at, e.id).limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def purge_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to ``limit`` events received before ``cutoff`` (oldest first)."""
        ids = (
            await self.session.scalars(
                select(WebhookEvent.id)
                .where(WebhookEvent.received_at < cutoff)
                .order_by(WebhookEvent.received_at)
                .limit(limit)
            )
        ).all()
        if not ids:
            return 0
        # Deliveries go with their event (ON DELETE CASCADE); delete them explicitly too so
        # that a database without enforced foreign keys does not keep orphans.
        await self.session.execute(
            delete(WebhookDelivery)
            .where(WebhookDelivery.event_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            delete(WebhookEvent)
            .where(WebhookEvent.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        return len(ids)


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, delivery: WebhookDelivery) -> None:
        self.session.add(delivery)

    async def get(self, delivery_id: int) -> WebhookDelivery | None:
        return await self.session.get(WebhookDelivery, delivery_id)

    async def claim(self, delivery_id: int, *, now: datetime, lease_until: datetime) -> bool:
        """Take a due pending attempt for this process; ``False`` if someone else has it.

        The attempt stays ``pending`` with ``next_retry_at`` pushed to the lease's end, so a
        crash mid-attempt only delays it.
        """
        result = await self.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.pending.value,
                WebhookDelivery.next_retry_at <= now,
            )
            .values(next_retry_at=lease_until)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def due_ids(self, now: datetime, limit: int) -> Sequence[int]:
        stmt = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.pending.value,
                WebhookDelivery.next_retry_at <= now,
            )
            .order_by(WebhookDelivery.next_retry_at)
            .limit(limit)
        )
        return (await self.session.scalars(stmt)).all()

    async def last_attempt(self, event_id: int) -> WebhookDelivery | None:
        stmt = (
            select(WebhookDelivery)
            .where(WebhookDelivery.event_id == event_id)
            .order_by(WebhookDelivery.attempt.desc(), WebhookDelivery.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    async def page(
        self,
        *,
        instance_id: int | None,
        event_id: int | None,
        status: DeliveryStatus | None,
        after_id: int | None,
        limit: int,
        destination_id: int | None = None,
    ) -> Sequence[WebhookDelivery]:
        d = WebhookDelivery
        stmt = select(d)
        if destination_id is not None:
            stmt = stmt.where(d.destination_id == destination_id)
        if instance_id is not None:
            stmt = stmt.where(d.instance_id == instance_id)
        if event_id is not None:
            stmt = stmt.where(d.event_id == event_id)
        if status is not None:
            stmt = stmt.where(d.status == status.value)
        if after_id is not None:
            stmt = stmt.where(d.id < after_id)
        return (await self.session.scalars(stmt.order_by(d.id.desc()).limit(limit))).all()
