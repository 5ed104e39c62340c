"""Applying stored events: one instance's events at a time, in order, in batches.

Messages are stored with set-based statements (one INSERT for the batch's new messages,
one locked read of the messages its receipts name); instance events go through
:mod:`evodash.instances.state` one by one. Every step is idempotent: applying an event
twice, or events in another order, leaves the same rows. Message events key on
(instance, ``key.id``); status receipts only move forward; an update or delete for a
message not stored yet is *deferred* and applied when the message arrives (or by the
periodic sweep, see :mod:`evodash.webhooks.tasks`).

A batch runs in a SAVEPOINT. If it raises, it is rolled back (its realtime events with
it) and its events are applied again one by one, each in its own SAVEPOINT, so that only
the one that fails is recorded as ``failed`` (replayable from the API).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.evolution.messages import WireMessage
from evodash.evolution.webhooks import (
    InstanceEvent,
    MessageDelete,
    MessageUpdate,
    MessageUpsert,
    parse_event,
)
from evodash.evolution.webhooks import WebhookEvent as Wire
from evodash.instances.models import EvolutionInstance
from evodash.messages import service as messages
from evodash.webhooks import lifecycle
from evodash.webhooks.context import ALREADY_STORED, PROCESSED, Outcome, ignored
from evodash.webhooks.models import EventStatus
from evodash.webhooks.repository import EventRepository

log = structlog.get_logger(__name__)

WAITING = Outcome(EventStatus.deferred, "waiting for the message it refers to")
NOT_USED = ignored("evodash does not use this event")
DELETED = ignored("the instance was deleted")
DEFERRABLE = ("messages.update", "messages.delete")
#: Give the event loop back this often in long loops (acknowledgements wait otherwise).
YIELD_EVERY = 64


@dataclass(frozen=True, slots=True)
class Stored:
    """An inbox event as the handlers need it."""

    id: int
    name: str
    body: dict[str, Any]
    received_at: datetime
    #: The event read ahead (the applier, before taking SQLite's write lock), with the
    #: instance's own JID it was read with.
    ahead: tuple[str | None, Wire] | None = None

    def wire(self, own_jid: str | None) -> Wire:
        """The typed event, ``own_jid`` being the instance's own JID now: the one read
        ahead when it was read with the same JID (reading is a function of the two)."""
        if self.ahead is not None and self.ahead[0] == own_jid:
            return self.ahead[1]
        return parse_event(self.body, own_jid=own_jid)


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 2000 else text[:1999] + "…"


def referenced_messages(event: Wire) -> set[str]:
    """The WhatsApp message ids an update/delete event refers to."""
    if isinstance(event, MessageUpdate):
        return {r.message_id for r in event.receipts}
    if isinstance(event, MessageDelete):
        return set(event.message_ids)
    return set()


@dataclass
class _Changes:
    """The message changes of a batch, gathered before they are written at once."""

    upserts: list[tuple[WireMessage, datetime]]
    receipts: list[tuple[str, str]]
    deletes: list[tuple[str, datetime]]
    #: Events whose outcome depends on whether their messages are stored.
    waiting_on: dict[int, set[str]]

    def take(self, item: Stored, wire: Wire) -> Outcome | None:
        """Collect a message event's changes; its outcome if already known."""
        if isinstance(wire, MessageUpsert):
            if wire.problem:
                return Outcome(EventStatus.failed, wire.problem)
            if not wire.messages:
                return ignored("no message in data")
            self.upserts.extend((m, item.received_at) for m in wire.messages)
            return PROCESSED
        if isinstance(wire, MessageUpdate):
            self.receipts.extend((r.message_id, r.status) for r in wire.receipts)
        elif isinstance(wire, MessageDelete):
            self.deletes.extend((m, item.received_at) for m in wire.message_ids)
        else:
            return NOT_USED
        self.waiting_on[item.id] = referenced_messages(wire)
        return None


async def _earlier_deferred(
    session: AsyncSession, instance: EvolutionInstance, arrived: set[str], changes: _Changes
) -> set[int]:
    """Add the changes of deferred events that name a message which just arrived."""
    revived: set[int] = set()
    for row in await EventRepository(session).deferred_rows(instance.id, DEFERRABLE):
        item = Stored(row.id, row.event, row.body, row.received_at)
        wire = parse_event(item.body, own_jid=instance.owner_jid)
        if referenced_messages(wire) & arrived and changes.take(item, wire) is None:
            revived.add(item.id)
    return revived


async def _apply(
    session: AsyncSession, settings: Settings, instance: EvolutionInstance, items: Sequence[Stored]
) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    changes = _Changes([], [], [], {})
    upserted: dict[int, set[str]] = {}  # event id -> its message ids, in event order
    for n, item in enumerate(items, 1):
        if not n % YIELD_EVERY:
            await asyncio.sleep(0)  # let the receiver answer meanwhile
        wire = item.wire(instance.owner_jid)
        if isinstance(wire, InstanceEvent):
            outcomes[item.id] = lifecycle.apply_instance_event(
                session, instance, wire, item.received_at
            )
        elif (known := changes.take(item, wire)) is not None:
            outcomes[item.id] = known
            if known is PROCESSED and isinstance(wire, MessageUpsert):
                upserted[item.id] = {m.message_id for m in wire.messages}
    revived: set[int] = set()
    stored_ids: set[str] = set()  # message ids stored for sure (no need to look them up)
    if changes.upserts:
        stored = await messages.store_messages(
            session, instance, changes.upserts, settings=settings
        )
        changes.receipts[:0] = stored.seen_again
        stored_ids = stored.known()
        if stored.inserted:
            revived = await _earlier_deferred(session, instance, set(stored.inserted), changes)
        # An upsert relays only the messages it stored first.
        fresh, claimed = set(stored.inserted), set[str]()
        for event_id, ids in upserted.items():
            if not (ids & fresh) - claimed:
                outcomes[event_id] = ALREADY_STORED
            claimed |= ids & fresh
    missing = await messages.apply_changes(
        session, instance.id, receipts=changes.receipts, deletes=changes.deletes, stored=stored_ids
    )
    for event_id, names in changes.waiting_on.items():
        if names & missing:
            if event_id not in revived:  # a deferred event still waiting stays as it is
                outcomes[event_id] = WAITING
        else:
            outcomes[event_id] = PROCESSED
    return outcomes


class _Rollback(Exception):
    """Raised to roll a trial SAVEPOINT back."""


async def _failing(
    session: AsyncSession, settings: Settings, instance: EvolutionInstance, items: Sequence[Stored]
) -> dict[int, Outcome]:
    """Try each event alone, rolling every trial back; the outcomes of those that fail."""
    failing: dict[int, Outcome] = {}
    for item in items:
        try:
            async with session.begin_nested():
                await _apply(session, settings, instance, [item])
                raise _Rollback
        except _Rollback:
            pass
        except Exception as exc:
            log.exception(
                "webhook.apply_failed",
                event_id=item.id,
                webhook_event=item.name,
                instance_id=instance.id,
            )
            failing[item.id] = Outcome(EventStatus.failed, describe(exc))
        await session.refresh(instance)
    return failing


async def apply_events(
    session: AsyncSession,
    settings: Settings,
    instance: EvolutionInstance,
    items: Sequence[Stored],
    *,
    isolate: bool = True,
) -> dict[int, Outcome]:
    """Apply one instance's events (in id order; its row is locked by the caller). Returns
    the outcome of each, and of earlier deferred events that could now be applied.

    When the batch fails, the events that fail on their own are found (each tried alone,
    then rolled back) and recorded as ``failed``; the others are applied again together,
    so an update still meets its message in the same batch."""
    if instance.deleted_at is not None:
        return {item.id: DELETED for item in items}
    try:
        async with session.begin_nested():
            return await _apply(session, settings, instance, items)
    except Exception as exc:
        # The SAVEPOINT rolled back (and expired what it touched): read the row again.
        await session.refresh(instance)
        if len(items) == 1:
            log.exception(
                "webhook.apply_failed",
                event_id=items[0].id,
                webhook_event=items[0].name,
                instance_id=instance.id,
            )
            return {items[0].id: Outcome(EventStatus.failed, describe(exc))}
    if isolate:
        failing = await _failing(session, settings, instance, items)
        others = [item for item in items if item.id not in failing]
        if failing and others:
            applied = await apply_events(session, settings, instance, others, isolate=False)
            return {**applied, **failing}
    outcomes: dict[int, Outcome] = {}
    for item in items:  # fails only together: one by one, in order
        outcomes.update(await apply_events(session, settings, instance, [item]))
    return outcomes


async def store_recovered(
    session: AsyncSession,
    settings: Settings,
    instance: EvolutionInstance,
    found: Sequence[tuple[WireMessage, datetime]],
) -> messages.StoreResult:
    """Store messages read back from Evolution (recovery) exactly as ``messages.upsert``
    events would be: the same INSERT, so a message already stored (by a webhook or an
    earlier pass) is skipped whichever came first; the same allow-list, image jobs and
    realtime announcements; receipts waiting for these messages applied. The instance's
    row is locked by the caller, as for the applier."""
    changes = _Changes([], [], [], {})
    stored = await messages.store_messages(session, instance, found, settings=settings)
    changes.receipts[:0] = stored.seen_again
    if not stored.inserted:
        await messages.apply_changes(
            session, instance.id, receipts=changes.receipts, stored=stored.known()
        )
        return stored
    revived = await _earlier_deferred(session, instance, set(stored.inserted), changes)
    missing = await messages.apply_changes(
        session,
        instance.id,
        receipts=changes.receipts,
        deletes=changes.deletes,
        stored=stored.known(),
    )
    done = [
        (event_id, PROCESSED.status.value, PROCESSED.note)
        for event_id in revived
        if not changes.waiting_on.get(event_id, set()) & missing
    ]
    if done:
        await EventRepository(session).record_outcomes(done, utcnow())
    return stored
