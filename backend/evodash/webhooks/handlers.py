"""Applying one stored event: the table of handlers, and the message events.

Every handler is idempotent: applying an event twice, or events in another order, leaves
the same rows. Message events key on (instance, ``key.id``); status receipts only move
forward; an update or delete for a message not stored yet is *deferred* and applied when
the message arrives (or by the periodic sweep, see :mod:`evodash.webhooks.tasks`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from evodash.core.db import utcnow
from evodash.evolution.webhooks import MessageDelete, MessageUpdate, MessageUpsert
from evodash.evolution.webhooks import WebhookEvent as Wire
from evodash.messages import service as messages
from evodash.messages.models import WhatsAppMessage
from evodash.webhooks import lifecycle
from evodash.webhooks.context import PROCESSED, EventContext, Outcome, ignored
from evodash.webhooks.models import EventStatus, WebhookEvent
from evodash.webhooks.repository import EventRepository

log = structlog.get_logger(__name__)

Handler = Callable[[EventContext], Awaitable[Outcome]]
WAITING = Outcome(EventStatus.deferred, "waiting for the message it refers to")
DEFERRABLE = ("messages.update", "messages.delete")


def referenced_messages(event: Wire) -> set[str]:
    """The WhatsApp message ids an update/delete event refers to."""
    if isinstance(event, MessageUpdate):
        return {r.message_id for r in event.receipts}
    if isinstance(event, MessageDelete):
        return set(event.message_ids)
    return set()


async def message_upsert(ctx: EventContext) -> Outcome:
    """``messages.upsert`` and ``send.message``: store the message once."""
    wire = ctx.wire
    assert isinstance(wire, MessageUpsert)
    if wire.problem:
        raise NotAMessageEvent(wire.problem)
    for item in wire.messages:
        message, _ = await messages.store_message(
            ctx.session,
            ctx.instance,
            item,
            settings=ctx.settings,
            fallback_time=ctx.event.received_at,
        )
        if message is not None:
            await apply_deferred(ctx, message)
    return PROCESSED if wire.messages else ignored("no message in data")


async def message_update(ctx: EventContext) -> Outcome:
    wire = ctx.wire
    assert isinstance(wire, MessageUpdate)
    waiting = False
    for receipt in wire.receipts:
        stored = await messages.apply_status(
            ctx.session, ctx.instance.id, receipt.message_id, receipt.status
        )
        waiting |= not stored
    return WAITING if waiting else PROCESSED


async def message_delete(ctx: EventContext) -> Outcome:
    wire = ctx.wire
    assert isinstance(wire, MessageDelete)
    waiting = False
    for target in wire.message_ids:
        stored = await messages.apply_delete(
            ctx.session, ctx.instance.id, target, ctx.event.received_at
        )
        waiting |= not stored
    return WAITING if waiting else PROCESSED


async def apply_deferred(ctx: EventContext, message: WhatsAppMessage) -> None:
    """Apply the updates and deletes that arrived before ``message``."""
    waiting = await EventRepository(ctx.session).deferred_for(ctx.instance.id, DEFERRABLE)
    for event in waiting:
        sub = EventContext(ctx.session, ctx.settings, ctx.instance, event)
        if message.message_id not in referenced_messages(sub.wire):
            continue
        try:
            async with ctx.session.begin_nested():
                outcome = await HANDLERS[event.event](sub)
        except Exception as exc:
            log.exception("webhook.deferred_failed", event_id=event.id)
            outcome = Outcome(EventStatus.failed, describe(exc))
        event.status, event.error = outcome.status.value, outcome.note
        event.attempts += 1
        event.processed_at = utcnow()


class NotAMessageEvent(ValueError):
    """A message event whose data is not a message object; the event fails (replayable)."""


def describe(exc: BaseException) -> str:
    if isinstance(exc, NotAMessageEvent):
        return str(exc)[:2000]
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 2000 else text[:1999] + "…"


HANDLERS: dict[str, Handler] = {
    "messages.upsert": message_upsert,
    "send.message": message_upsert,
    "messages.update": message_update,
    "messages.delete": message_delete,
    **dict.fromkeys(lifecycle.INSTANCE_EVENTS, lifecycle.instance_event),
}


async def dispatch(ctx: EventContext) -> Outcome:
    handler = HANDLERS.get(ctx.event.event)
    if handler is None:
        return ignored("evodash does not use this event")
    return await handler(ctx)


def is_known(event: str) -> bool:
    return event in HANDLERS


def deferrable(event: WebhookEvent) -> bool:
    return event.event in DEFERRABLE
