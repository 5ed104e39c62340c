"""The inbox seen from the API: listing, detail, replay, forwarding retries, retention.

Receiving is :mod:`evodash.webhooks.receiver`, applying :mod:`evodash.webhooks.applier`;
replaying applies one stored event again with the same handlers, in the request's
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.locking import begin_write
from evodash.core.pagination import decode_id_cursor, decode_time_id_cursor, encode_cursor
from evodash.core.schemas import CursorPage
from evodash.destinations.models import ForwardDestination
from evodash.instances.models import EvolutionInstance
from evodash.webhooks import SECRET_HEADER, handlers
from evodash.webhooks.errors import (
    DeliveryNotFound,
    DeliveryNotRetryable,
    EventNotFound,
    EventNotReplayable,
)
from evodash.webhooks.forwarding import enqueue_attempt
from evodash.webhooks.models import (
    DeliveryStatus,
    EventStatus,
    WebhookDelivery,
    WebhookEvent,
)
from evodash.webhooks.receiver import mask_token
from evodash.webhooks.repository import DeliveryRepository, EventRepository
from evodash.webhooks.schemas import (
    MAX_REPLAY,
    EventSelection,
    ReplayReport,
    WebhookDeliveryRead,
    WebhookEventDetail,
    WebhookEventRead,
)

log = structlog.get_logger(__name__)

#: A deferred update whose message has not arrived after this long is given up.
DEFERRED_MAX_AGE = timedelta(hours=1)


async def apply_event(
    session: AsyncSession, event: WebhookEvent, instance: EvolutionInstance, settings: Settings
) -> None:
    """Apply a stored event once more; record the outcome on the event row."""
    await begin_write(session)
    await session.refresh(instance, with_for_update=True)
    stored = handlers.Stored(event.id, event.event, event.body, event.received_at)
    outcomes = await handlers.apply_events(session, settings, instance, [stored])
    outcome = outcomes[event.id]
    event.status, event.error = outcome.status.value, outcome.note
    event.attempts += 1
    event.processed_at = utcnow()
    others = [(i, o.status.value, o.note) for i, o in outcomes.items() if i != event.id]
    if others:  # deferred events this one's message answered
        await EventRepository(session).record_outcomes(others, utcnow())
    await session.flush()


async def get_event(session: AsyncSession, event_id: int) -> WebhookEvent:
    event = await EventRepository(session).get(event_id)
    if event is None:
        raise EventNotFound()
    return event


#: Keys whose values are credentials, wherever they are in a body (compared lower case).
SECRET_KEYS = frozenset(
    {"apikey", "token", "jwt_key", "authorization", "password", "secret", SECRET_HEADER}
)
#: Strings longer than this (media as base64) are shortened in the payload viewer.
MAX_SHOWN_STRING = 4000


def mask_secrets(value: Any) -> Any:
    """``value`` with every credential masked (``****B924``) and huge strings shortened."""
    if isinstance(value, dict):
        return {
            k: mask_token(v) if str(k).lower() in SECRET_KEYS else mask_secrets(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    if isinstance(value, str) and len(value) > MAX_SHOWN_STRING:
        return f"{value[:200]}… ({len(value)} characters, shortened)"
    return value


def event_detail(event: WebhookEvent) -> WebhookEventDetail:
    read = WebhookEventRead.model_validate(event)
    return WebhookEventDetail(**read.model_dump(), body=mask_secrets(event.body))


async def replay(session: AsyncSession, event_id: int, *, settings: Settings) -> WebhookEvent:
    """Apply a stored event again (it is not forwarded again)."""
    event = await get_event(session, event_id)
    instance = (
        await session.get(EvolutionInstance, event.instance_id) if event.instance_id else None
    )
    if instance is None:
        raise EventNotReplayable("its instance no longer exists")
    if instance.deleted_at is not None:
        raise EventNotReplayable("its instance was deleted")
    await apply_event(session, event, instance, settings)
    log.info("webhook.replayed", event_id=event.id, status=event.status)
    return event


async def replay_many(
    session: AsyncSession, selection: EventSelection, *, settings: Settings
) -> ReplayReport:
    """Apply again, oldest first, the events that match ``selection`` (at most
    :data:`MAX_REPLAY`); events of deleted instances are skipped."""
    ids = await EventRepository(session).matching_ids(
        instance_id=selection.instance_id,
        status=selection.status,
        event=selection.event,
        since=selection.since,
        until=selection.until,
        ids=selection.ids,
        limit=MAX_REPLAY + 1,
    )
    outcomes: dict[EventStatus, int] = {}
    failed: list[int] = []
    replayed = 0
    for event_id in ids[:MAX_REPLAY]:
        try:
            event = await replay(session, event_id, settings=settings)
        except EventNotReplayable:
            continue
        replayed += 1
        status = EventStatus(event.status)
        outcomes[status] = outcomes.get(status, 0) + 1
        if status is EventStatus.failed:
            failed.append(event.id)
    log.info("webhook.replayed_many", matched=replayed, truncated=len(ids) > MAX_REPLAY)
    return ReplayReport(
        matched=replayed, truncated=len(ids) > MAX_REPLAY, outcomes=outcomes, failed_ids=failed
    )


async def retry_deferred(session: AsyncSession, event_id: int, *, settings: Settings) -> None:
    """Apply a deferred event again; give up on it once it is too old."""
    event = await EventRepository(session).get(event_id)
    if event is None or event.status != EventStatus.deferred.value:
        return
    instance = (
        await session.get(EvolutionInstance, event.instance_id) if event.instance_id else None
    )
    if instance is None:
        event.status, event.error = EventStatus.ignored.value, "its instance no longer exists"
        return
    await apply_event(session, event, instance, settings)
    if event.status == EventStatus.deferred.value and (
        utcnow() - event.received_at > DEFERRED_MAX_AGE
    ):
        event.status = EventStatus.ignored.value
        event.error = "the message it refers to never arrived"


def _after_time_id(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    return decode_time_id_cursor(cursor)


async def list_events(
    session: AsyncSession,
    *,
    instance_id: int | None,
    status: EventStatus | None,
    event: str | None,
    cursor: str | None,
    limit: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> CursorPage[WebhookEventRead]:
    rows = await EventRepository(session).page(
        instance_id=instance_id,
        status=status,
        event=event,
        after=_after_time_id(cursor),
        limit=limit + 1,
        since=since,
        until=until,
    )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.received_at.isoformat(), last.id])
    return CursorPage(
        items=[WebhookEventRead.model_validate(r) for r in rows[:limit]], next_cursor=next_cursor
    )


async def list_deliveries(
    session: AsyncSession,
    *,
    instance_id: int | None,
    event_id: int | None,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
    destination_id: int | None = None,
) -> CursorPage[WebhookDeliveryRead]:
    after_id = decode_id_cursor(cursor) if cursor else None
    rows = await DeliveryRepository(session).page(
        instance_id=instance_id,
        event_id=event_id,
        destination_id=destination_id,
        status=status,
        after_id=after_id,
        limit=limit + 1,
    )
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return CursorPage(items=await deliveries_read(session, rows[:limit]), next_cursor=next_cursor)


async def deliveries_read(
    session: AsyncSession, rows: Sequence[WebhookDelivery]
) -> list[WebhookDeliveryRead]:
    """The attempts as the API shows them, with their destination's name."""
    ids = {r.destination_id for r in rows if r.destination_id is not None}
    names: dict[int, str] = {}
    if ids:
        stmt = select(ForwardDestination.id, ForwardDestination.name).where(
            ForwardDestination.id.in_(ids)
        )
        names = {row[0]: row[1] for row in (await session.execute(stmt)).all()}
    return [
        WebhookDeliveryRead.model_validate(r).model_copy(
            update={"destination_name": names.get(r.destination_id or 0)}
        )
        for r in rows
    ]


async def retry_delivery(session: AsyncSession, delivery_id: int) -> WebhookDelivery:
    """Queue one more attempt (and its job) of a forwarding that failed for good, to its
    destination's current URL."""
    repo = DeliveryRepository(session)
    delivery = await repo.get(delivery_id)
    if delivery is None:
        raise DeliveryNotFound()
    last = await repo.last_attempt(delivery.event_id)
    if last is None or last.id != delivery.id:
        raise DeliveryNotRetryable("a later attempt exists; retry that one")
    if delivery.status != DeliveryStatus.failed.value:
        raise DeliveryNotRetryable(f"it is {delivery.status}, not failed")
    if delivery.next_retry_at is not None:
        raise DeliveryNotRetryable("an automatic retry is already scheduled")
    destination = (
        await session.get(ForwardDestination, delivery.destination_id)
        if delivery.destination_id is not None
        else None
    )
    if destination is None:
        raise DeliveryNotRetryable("its destination was removed")
    if not destination.enabled:
        raise DeliveryNotRetryable("its destination is disabled")
    retry = WebhookDelivery(
        event_id=delivery.event_id,
        instance_id=delivery.instance_id,
        destination_id=destination.id,
        url=destination.url,
        attempt=delivery.attempt + 1,
        status=DeliveryStatus.pending.value,
        next_retry_at=utcnow(),
    )
    repo.add(retry)
    await session.flush()
    enqueue_attempt(session, retry)
    return retry


async def purge_events(session: AsyncSession, *, older_than: datetime, limit: int = 5000) -> int:
    """Delete up to ``limit`` inbox events received before ``older_than``."""
    return await EventRepository(session).purge_before(older_than, limit)
