"""Applying one stored event: the table of handlers, and the message events.

Every handler is idempotent: applying an event twice, or events in another order, leaves
the same rows. Message events key on (instance, ``key.id``); status receipts only move
forward; an update or delete for a message not stored yet is *deferred* and applied when
the message arrives (or by the periodic sweep, see :mod:`evodash.webhooks.tasks`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import structlog

from evodash.core.db import utcnow
from evodash.messages import service as messages
from evodash.messages.models import WhatsAppMessage
from evodash.webhooks import lifecycle
from evodash.webhooks.context import PROCESSED, EventContext, Outcome, ignored
from evodash.webhooks.models import EventStatus
from evodash.webhooks.repository import EventRepository

log = structlog.get_logger(__name__)

Handler = Callable[[EventContext], Awaitable[Outcome]]
WAITING = Outcome(EventStatus.deferred, "waiting for the message it refers to")
DEFERRABLE = ("messages.update", "messages.delete")


def _items(data: Any) -> Iterator[dict[str, Any]]:
    """``data`` is one object, but tolerate a list of them (older servers, history sync)."""
    if isinstance(data, dict):
        yield data
    elif isinstance(data, list):
        yield from (item for item in data if isinstance(item, dict))


def _update_target(item: dict[str, Any]) -> str | None:
    key = item.get("key")
    value = item.get("keyId") or (key.get("id") if isinstance(key, dict) else None)
    return value if isinstance(value, str) and value else None


def _delete_target(item: dict[str, Any]) -> str | None:
    key = item.get("key") if isinstance(item.get("key"), dict) else item
    value = key.get("id") if isinstance(key, dict) else None
    return value if isinstance(value, str) and value else None


def referenced_messages(event: str, data: Any) -> set[str]:
    """The WhatsApp message ids an update/delete event refers to."""
    target = _update_target if event == "messages.update" else _delete_target
    return {t for item in _items(data) if (t := target(item)) is not None}


async def message_upsert(ctx: EventContext) -> Outcome:
    """``messages.upsert`` and ``send.message``: store the message once."""
    found = False
    for item in _items(ctx.data):
        found = True
        sender = ctx.body.get("sender")
        _, message = await messages.ingest_message(
            ctx.session,
            ctx.instance,
            item,
            settings=ctx.settings,
            emit=ctx.emit,
            fallback_time=ctx.event.received_at,
            own_jid=sender if isinstance(sender, str) else None,
        )
        if message is not None:
            await apply_deferred(ctx, message)
    return PROCESSED if found else ignored("no message in data")


async def message_update(ctx: EventContext) -> Outcome:
    waiting = False
    for item in _items(ctx.data):
        target, status = _update_target(item), item.get("status")
        if target is None or not isinstance(status, str):
            continue
        stored = await messages.apply_status(
            ctx.session, ctx.instance.id, target, status, emit=ctx.emit
        )
        waiting |= not stored
    return WAITING if waiting else PROCESSED


async def message_delete(ctx: EventContext) -> Outcome:
    waiting = False
    for item in _items(ctx.data):
        target = _delete_target(item)
        if target is None:
            continue
        stored = await messages.apply_delete(
            ctx.session, ctx.instance.id, target, ctx.event.received_at, emit=ctx.emit
        )
        waiting |= not stored
    return WAITING if waiting else PROCESSED


async def apply_deferred(ctx: EventContext, message: WhatsAppMessage) -> None:
    """Apply the updates and deletes that arrived before ``message``."""
    waiting = await EventRepository(ctx.session).deferred_for(ctx.instance.id, DEFERRABLE)
    for event in waiting:
        if message.message_id not in referenced_messages(event.event, event.body.get("data")):
            continue
        sub = EventContext(ctx.session, ctx.settings, ctx.instance, event)
        try:
            async with ctx.session.begin_nested():
                outcome = await HANDLERS[event.event](sub)
        except Exception as exc:
            log.exception("webhook.deferred_failed", event_id=event.id)
            outcome = Outcome(EventStatus.failed, describe(exc))
        else:
            ctx.pending.extend(sub.pending)
        event.status, event.error = outcome.status.value, outcome.note
        event.attempts += 1
        event.processed_at = utcnow()


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 2000 else text[:1999] + "…"


HANDLERS: dict[str, Handler] = {
    "messages.upsert": message_upsert,
    "send.message": message_upsert,
    "messages.update": message_update,
    "messages.delete": message_delete,
    "connection.update": lifecycle.connection_update,
    "qrcode.updated": lifecycle.qrcode_updated,
    "status.instance": lifecycle.status_instance,
    "logout.instance": lifecycle.logout_instance,
    "remove.instance": lifecycle.instance_removed,
    "instance.delete": lifecycle.instance_removed,
    "instance.create": lifecycle.instance_create,
}


async def dispatch(ctx: EventContext) -> Outcome:
    handler = HANDLERS.get(ctx.event.event)
    if handler is None:
        return ignored("evodash does not use this event")
    return await handler(ctx)


def is_known(event: str) -> bool:
    return event in HANDLERS
