"""The inbox: receive → store raw → apply (in a savepoint) → answer; replay; retention.

Receiving runs in the request's one transaction, committed before the answer is sent
(``SessionDep``), so a 2xx means the raw event is durable. Applying runs inside a
SAVEPOINT: when a handler raises, only its changes roll back, and the event stays stored
as ``failed`` with the error, replayable from the API. The answer is still 2xx, since
Evolution would otherwise retry for 20 minutes something that fails the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from evodash import realtime
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.locking import hold_sqlite_writer
from evodash.core.pagination import decode_id_cursor, decode_time_id_cursor, encode_cursor
from evodash.core.schemas import CursorPage
from evodash.instances.history import notify_updated
from evodash.instances.models import EvolutionInstance
from evodash.webhooks import handlers, lifecycle
from evodash.webhooks.context import EventContext, Outcome, ignored
from evodash.webhooks.errors import (
    DeliveryNotFound,
    DeliveryNotRetryable,
    EventNotFound,
    EventNotReplayable,
    MalformedWebhook,
    NotAnEvolutionEvent,
    WebhookInstanceGone,
)
from evodash.webhooks.models import (
    DeliveryStatus,
    EventStatus,
    WebhookDelivery,
    WebhookEvent,
)
from evodash.webhooks.repository import DeliveryRepository, EventRepository
from evodash.webhooks.schemas import (
    Envelope,
    WebhookDeliveryRead,
    WebhookEventDetail,
    WebhookEventRead,
    WebhookReceipt,
)

log = structlog.get_logger(__name__)

#: A deferred update whose message has not arrived after this long is given up.
DEFERRED_MAX_AGE = timedelta(hours=1)


def event_suffix(event: str) -> str:
    """The ``byEvents`` URL suffix of an event name (CONTRACT §6.3)."""
    return event.replace(".", "-").replace("_", "-").lower()


def parse_envelope(raw: bytes, suffix: str | None) -> dict[str, Any]:
    """The body as a dict, or a 400/422 with a reason a human can act on."""
    if not raw.strip():
        raise MalformedWebhook("the body is empty")
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedWebhook(f"it is not UTF-8 ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise MalformedWebhook(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(body, dict):
        raise NotAnEvolutionEvent(f"expected a JSON object, got {type(body).__name__}")
    try:
        envelope = Envelope.model_validate(body)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise NotAnEvolutionEvent(reasons) from exc
    if suffix is not None and suffix.lower() != event_suffix(envelope.event):
        raise NotAnEvolutionEvent(
            f"the URL ends in /{suffix} but the event is {envelope.event!r} "
            f"(/{event_suffix(envelope.event)})"
        )
    return body


async def apply_event(
    session: AsyncSession, event: WebhookEvent, instance: EvolutionInstance, settings: Settings
) -> None:
    """Apply a stored event once more; record the outcome on the event row."""
    outcome = await _run_handler(session, event, instance, settings)
    event.status, event.error = outcome.status.value, outcome.note
    event.attempts += 1
    event.processed_at = utcnow()
    await session.flush()


async def _run_handler(
    session: AsyncSession, event: WebhookEvent, instance: EvolutionInstance, settings: Settings
) -> Outcome:
    """Run the event's handler in a savepoint; its outcome (``failed`` if it raised)."""
    if not handlers.is_known(event.event):
        return ignored("evodash does not use this event")
    ctx = EventContext(session, settings, instance, event)
    try:
        async with session.begin_nested():
            outcome = await handlers.dispatch(ctx)
    except Exception as exc:
        log.exception(
            "webhook.apply_failed",
            event_id=event.id,
            webhook_event=event.event,
            instance_id=event.instance_id,
        )
        outcome = Outcome(EventStatus.failed, handlers.describe(exc))
        if event.event in lifecycle.INSTANCE_EVENTS:
            # A transition announces itself when it is made; if its savepoint then rolled
            # back, announce the instance again as it really is.
            await session.refresh(instance)
            notify_updated(session, instance)
    else:
        for event_type, data in ctx.pending:
            realtime.emit(session, event_type, data)
    return outcome


def _gone(instance_id: int, body: dict[str, Any]) -> WebhookInstanceGone:
    log.info("webhook.instance_gone", instance_id=instance_id, webhook_event=body["event"])
    return WebhookInstanceGone()


@dataclass(frozen=True)
class Received:
    receipt: WebhookReceipt
    delivery_id: int | None  # a forwarding attempt to start once the transaction commits


async def receive(
    session: AsyncSession,
    instance: EvolutionInstance,
    raw: bytes,
    *,
    suffix: str | None,
    settings: Settings,
) -> Received:
    """Store an authenticated event, apply it, and queue its forwarding."""
    try:
        body = parse_envelope(raw, suffix)
    except (MalformedWebhook, NotAnEvolutionEvent) as exc:
        # The reason, never the body: it may hold messages and the instance token.
        log.warning(
            "webhook.rejected",
            instance_id=instance.id,
            status=exc.status_code,
            reason=exc.detail,
            size=len(raw),
        )
        raise
    instance_id = instance.id
    await hold_sqlite_writer(session)
    if str(body["event"]) in lifecycle.INSTANCE_EVENTS:
        # A state change is decided from the instance's current status: read it again,
        # locked, as the dashboard's own actions do (an action may have changed it since
        # the secret was checked, or be changing it right now).
        try:
            await session.refresh(instance, with_for_update=True)
        except InvalidRequestError:
            raise _gone(instance_id, body) from None
    # Read before applying: a failed apply rolls back (and expires) what it touched.
    forward_url = instance.forward_url
    deleted = instance.deleted_at is not None
    now = utcnow()
    # Stored as processed and corrected below when it was not: most events are, and this
    # spares an UPDATE inside SQLite's single-writer section. Nobody sees the row before
    # the transaction commits.
    event = WebhookEvent(
        instance_id=instance_id,
        event=str(body["event"])[:64],
        instance_name=str(body["instance"])[:64],
        body=body,
        status=EventStatus.ignored.value if deleted else EventStatus.processed.value,
        error="the instance was deleted" if deleted else None,
        attempts=0 if deleted else 1,
        received_at=now,
        processed_at=now,
    )
    EventRepository(session).add(event)
    try:
        await session.flush()
    except IntegrityError:
        # The only foreign key is the instance: it was deleted (and committed) after the
        # secret was checked, typically by the very request whose Evolution call sent this
        # event. Nothing is left to store it against.
        await session.rollback()
        raise _gone(instance_id, body) from None
    if str(body["instance"]) != instance.name:
        log.warning(
            "webhook.instance_name_mismatch",
            instance_id=instance_id,
            expected=instance.name,
            got=str(body["instance"])[:64],
        )
    if not deleted:
        outcome = await _run_handler(session, event, instance, settings)
        if (outcome.status.value, outcome.note) != (event.status, event.error):
            event.status, event.error = outcome.status.value, outcome.note
    delivery_id = None
    if forward_url and not deleted:
        delivery = WebhookDelivery(
            event_id=event.id,
            instance_id=instance_id,
            url=forward_url,
            attempt=1,
            status=DeliveryStatus.pending.value,
            next_retry_at=event.received_at,
        )
        DeliveryRepository(session).add(delivery)
        await session.flush()
        delivery_id = delivery.id
    log.debug("webhook.received", event_id=event.id, webhook_event=event.event)
    return Received(
        WebhookReceipt(event_id=event.id, status=EventStatus(event.status)), delivery_id
    )


async def get_event(session: AsyncSession, event_id: int) -> WebhookEvent:
    event = await EventRepository(session).get(event_id)
    if event is None:
        raise EventNotFound()
    return event


def event_detail(event: WebhookEvent) -> WebhookEventDetail:
    body = dict(event.body)
    if body.get("apikey"):
        body["apikey"] = "****" + str(body["apikey"])[-4:]
    read = WebhookEventRead.model_validate(event)
    return WebhookEventDetail(**read.model_dump(), body=body)


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
) -> CursorPage[WebhookEventRead]:
    rows = await EventRepository(session).page(
        instance_id=instance_id,
        status=status,
        event=event,
        after=_after_time_id(cursor),
        limit=limit + 1,
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
) -> CursorPage[WebhookDeliveryRead]:
    after_id = decode_id_cursor(cursor) if cursor else None
    rows = await DeliveryRepository(session).page(
        instance_id=instance_id,
        event_id=event_id,
        status=status,
        after_id=after_id,
        limit=limit + 1,
    )
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return CursorPage(
        items=[WebhookDeliveryRead.model_validate(r) for r in rows[:limit]],
        next_cursor=next_cursor,
    )


async def retry_delivery(session: AsyncSession, delivery_id: int) -> WebhookDelivery:
    """Queue one more attempt of a forwarding that failed for good."""
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
    instance = await session.get(EvolutionInstance, delivery.instance_id)
    url = instance.forward_url if instance is not None and instance.forward_url else delivery.url
    retry = WebhookDelivery(
        event_id=delivery.event_id,
        instance_id=delivery.instance_id,
        url=url,
        attempt=delivery.attempt + 1,
        status=DeliveryStatus.pending.value,
        next_retry_at=utcnow(),
    )
    repo.add(retry)
    await session.flush()
    return retry


async def purge_events(session: AsyncSession, *, older_than: datetime, limit: int = 5000) -> int:
    """Delete up to ``limit`` inbox events received before ``older_than``."""
    return await EventRepository(session).purge_before(older_than, limit)
