"""Handlers of instance events: connection state, QR codes, logout, removal.

Evolution sends these concurrently and retries them, so they arrive out of order and
repeated (CONTRACT §5, §9.4). Three rules make applying them order-independent:

* **Newest wins, per aspect.** Each event writes some *aspects* of the instance (its
  state, the disconnection reason, the profile, the QR code, the error note). An aspect is
  applied only if no event already applied for the same instance wrote it with a later
  ``date_time`` (the server's clock orders its own events even when its zone is wrong).
  So a late ``connecting`` cannot undo an ``open``, yet a late ``status.instance`` still
  records the disconnection reason nobody newer has overwritten.
* **Transitions only.** A state equal to the current one changes nothing and records no
  ``connection_event``; Evolution repeats ``connecting`` many times a second.
* **No-op writes are skipped**, so re-applying an event does not even touch ``updated_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from evodash.core.db import utcnow
from evodash.evolution.webhooks import (
    ConnectionUpdate,
    InstanceClosed,
    InstanceCreated,
    QrCodeUpdated,
    parse_server_time,
)
from evodash.instances.history import instance_payload, record_transition
from evodash.instances.models import ConnectionSource, EvolutionInstance, InstanceStatus
from evodash.messages.allowlist import normalize_number
from evodash.webhooks.context import PROCESSED, EventContext, Outcome, ignored
from evodash.webhooks.repository import EventRepository

INSTANCE_EVENTS = frozenset(
    {
        "connection.update",
        "status.instance",
        "logout.instance",
        "remove.instance",
        "instance.delete",
        "instance.create",
        "qrcode.updated",
    }
)
#: How far back to look for newer applied events. Evolution stops retrying after ~25 min.
CLOCK_WINDOW = timedelta(hours=1)
DELETED_NOTE = "The instance was deleted on the Evolution server."
STALE = "stale: newer events already set what this one would"
_STATES = frozenset({"open", "connecting", "close", "refused"})

STATE, REASON, PROFILE, QR, NOTE = "state", "reason", "profile", "qr", "note"


def aspects(event: str, state: str | None = None, message: str | None = None) -> frozenset[str]:
    """What an instance event writes; ``state``/``message`` are ``data.state``/``.message``."""
    if event == "connection.update":
        if state == InstanceStatus.open.value:
            return frozenset({STATE, REASON, PROFILE, QR})
        if state == InstanceStatus.close.value:
            return frozenset({STATE, REASON, QR})
        if state == InstanceStatus.refused.value:
            return frozenset({STATE, QR})
        return frozenset({STATE})
    if event == "status.instance":
        return frozenset({STATE, REASON, QR})
    if event == "logout.instance":
        return frozenset({STATE, QR})
    if event in ("remove.instance", "instance.delete"):
        return frozenset({STATE, QR, NOTE})
    if event == "instance.create":
        return frozenset({NOTE})
    if event == "qrcode.updated":
        return frozenset({QR, NOTE}) if message else frozenset({QR})
    return frozenset()


#: Events stamped with the same millisecond arrive in any order (Evolution posts each
#: webhook on its own). After a pairing, WhatsApp's forced restart makes Evolution report
#: ``connecting`` and ``open`` together: of such a pair, ``open`` is the later state.
_SAME_INSTANT_RANK = {InstanceStatus.connecting.value: 0, InstanceStatus.open.value: 1}


def _outranks(name: str, state: str | None, ctx: EventContext) -> bool:
    """Whether an applied event stamped with the same instant as ``ctx``'s supersedes it."""
    if name != "connection.update" or ctx.event.event != "connection.update":
        return False
    mine = ctx.wire.state if isinstance(ctx.wire, ConnectionUpdate) else None
    theirs = _SAME_INSTANT_RANK.get(state or "")
    ours = _SAME_INSTANT_RANK.get(mine or "")
    return theirs is not None and ours is not None and theirs > ours


async def fresh_aspects(ctx: EventContext, touched: Iterable[str]) -> frozenset[str]:
    """The aspects of ``touched`` that no newer applied event of the instance wrote."""
    wanted = frozenset(touched)
    when = ctx.occurred_at
    if when is None:
        return wanted
    since = min(utcnow(), ctx.event.received_at) - CLOCK_WINDOW
    rows = await EventRepository(ctx.session).applied_clock(
        ctx.instance.id,
        INSTANCE_EVENTS,
        since=since,
        exclude_id=ctx.event.id,
        later_than=str(ctx.event.body.get("date_time")),
    )
    newer: set[str] = set()
    for name, date_time, state, message in rows:
        other = parse_server_time(date_time)
        if other is not None and (other > when or (other == when and _outranks(name, state, ctx))):
            newer |= aspects(name, state, message)
    return wanted - newer


def own_number(digits: str | None) -> str | None:
    """The instance's own number as the instances API stores it: E.164 digits, no ``+``."""
    number = normalize_number("+" + digits) if digits else None
    return number[1:] if number else digits


def _set(instance: EvolutionInstance, **values: Any) -> bool:
    """Assign only what differs (no-op updates would bump ``updated_at``)."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _clear_qr(instance: EvolutionInstance) -> bool:
    return _set(instance, last_qr=None, last_qr_code=None, pairing_code=None)


def _finish(
    ctx: EventContext,
    fresh: frozenset[str],
    *,
    state: str,
    reason: int | None,
    changed: bool,
) -> Outcome:
    moved = False
    if STATE in fresh:
        moved = record_transition(
            ctx.session,
            ctx.instance,
            state,
            ConnectionSource.webhook,
            reason,
            at=ctx.event.received_at,
        )
    if changed and not moved:  # a transition announces itself
        ctx.emit("instance.updated", instance_payload(ctx.instance))
    return PROCESSED


async def connection_update(ctx: EventContext) -> Outcome:
    wire = ctx.wire
    assert isinstance(wire, ConnectionUpdate)
    state = wire.state
    if state is None:
        return ignored(f"unknown connection state {wire.raw_state!r}")
    fresh = await fresh_aspects(ctx, aspects("connection.update", state))
    if not fresh:
        return ignored(STALE)
    instance = ctx.instance
    reason = wire.reason
    changed = False
    if PROFILE in fresh:
        updates: dict[str, Any] = {}
        if wire.owner_jid:
            updates["owner_jid"] = wire.owner_jid
            updates["phone_number"] = own_number(wire.owner_phone)
        if wire.profile_name is not None:
            updates["profile_name"] = wire.profile_name
        if wire.has_picture:
            updates["profile_picture_url"] = wire.picture_url
        changed |= _set(instance, **updates)
    if REASON in fresh:
        changed |= _set(instance, disconnection_reason=None if state == "open" else reason)
    if QR in fresh:
        changed |= _clear_qr(instance)
    meaningful = state in (InstanceStatus.close.value, InstanceStatus.refused.value)
    return _finish(ctx, fresh, state=state, reason=reason if meaningful else None, changed=changed)


async def status_instance(ctx: EventContext) -> Outcome:
    wire = ctx.wire
    assert isinstance(wire, InstanceClosed)
    if not wire.closed:
        return ignored(f"instance status {wire.raw_status!r} is not used")
    fresh = await fresh_aspects(ctx, aspects("status.instance"))
    if not fresh:
        return ignored(STALE)
    reason = wire.reason
    changed = False
    if REASON in fresh:
        changed |= _set(ctx.instance, disconnection_reason=reason)
    if QR in fresh:
        changed |= _clear_qr(ctx.instance)
    return _finish(ctx, fresh, state=InstanceStatus.close.value, reason=reason, changed=changed)


async def logout_instance(ctx: EventContext) -> Outcome:
    fresh = await fresh_aspects(ctx, aspects("logout.instance"))
    if not fresh:
        return ignored(STALE)
    changed = _clear_qr(ctx.instance) if QR in fresh else False
    return _finish(ctx, fresh, state=InstanceStatus.close.value, reason=None, changed=changed)


async def instance_removed(ctx: EventContext) -> Outcome:
    """``remove.instance`` / ``instance.delete``: gone from the server (not from evodash)."""
    fresh = await fresh_aspects(ctx, aspects(ctx.event.event))
    if not fresh:
        return ignored(STALE)
    changed = _clear_qr(ctx.instance) if QR in fresh else False
    if NOTE in fresh:
        changed |= _set(ctx.instance, last_error=DELETED_NOTE)
    return _finish(ctx, fresh, state=InstanceStatus.close.value, reason=None, changed=changed)


async def instance_create(ctx: EventContext) -> Outcome:
    wire = ctx.wire
    assert isinstance(wire, InstanceCreated)
    changed = False
    if wire.evolution_id and not ctx.instance.evolution_id:
        changed = _set(ctx.instance, evolution_id=wire.evolution_id)
    fresh = await fresh_aspects(ctx, aspects("instance.create"))
    if NOTE in fresh and ctx.instance.last_error == DELETED_NOTE:
        changed |= _set(ctx.instance, last_error=None)
    if changed:
        ctx.emit("instance.updated", instance_payload(ctx.instance))
    return PROCESSED


async def qrcode_updated(ctx: EventContext) -> Outcome:
    wire = ctx.wire
    assert isinstance(wire, QrCodeUpdated)
    note = wire.problem if not wire.has_code else None
    fresh = await fresh_aspects(ctx, aspects("qrcode.updated", message=note))
    if QR not in fresh:
        return ignored(STALE)
    instance = ctx.instance
    if not wire.has_code:
        changed = _clear_qr(instance)
        if NOTE in fresh:
            changed |= _set(instance, last_error=note or "Evolution sent no QR code.")
        if changed:
            ctx.emit("instance.updated", instance_payload(instance))
        return PROCESSED
    if _set(instance, last_qr=wire.image, last_qr_code=wire.code, pairing_code=wire.pairing_code):
        instance.last_qr_at = ctx.event.received_at
        ctx.emit(
            "instance.qr",
            {
                "id": instance.id,
                "qr": instance.last_qr,
                "code": instance.last_qr_code,
                "pairing_code": instance.pairing_code,
                "at": ctx.event.received_at.isoformat(),
            },
        )
    return PROCESSED
