"""Instance events (connection state, QR codes, logout, removal) as state observations.

Each typed event becomes an :class:`~evodash.instances.state.Observation` with the
aspects of the instance it writes and the server's clock; :mod:`evodash.instances.state`
decides what is fresh (newest wins per aspect), records transitions and announces them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.evolution.webhooks import (
    ConnectionUpdate,
    InstanceClosed,
    InstanceCreated,
    InstanceEvent,
    InstanceRemoved,
    LoggedOut,
    QrCodeUpdated,
)
from evodash.instances import state
from evodash.instances.models import ConnectionSource, EvolutionInstance, InstanceStatus
from evodash.instances.state import UNSET, Aspect, Clock, Observation, Qr
from evodash.messages.allowlist import normalize_number
from evodash.webhooks.context import PROCESSED, Outcome, ignored

DELETED_NOTE = "The instance was deleted on the Evolution server."
STALE = "stale: newer events already set what this one would"

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

S, R, P, Q, N = Aspect.state, Aspect.reason, Aspect.profile, Aspect.qr, Aspect.note

#: Events stamped with the same millisecond arrive in any order (Evolution posts each
#: webhook on its own). After a pairing, WhatsApp's forced restart makes Evolution report
#: ``connecting`` and ``open`` together: of such a pair, ``open`` is the later state.
_SAME_INSTANT_RANK = {InstanceStatus.connecting.value: 0, InstanceStatus.open.value: 1}


def own_number(digits: str | None) -> str | None:
    """The instance's own number as the instances API stores it: E.164 digits, no ``+``."""
    number = normalize_number("+" + digits) if digits else None
    return number[1:] if number else digits


def _connection(wire: ConnectionUpdate, state_: str, common: dict[str, Any]) -> Observation:
    profile: dict[str, Any] = {}
    if wire.owner_jid:
        profile.update(owner_jid=wire.owner_jid, phone_number=own_number(wire.owner_phone))
    if wire.profile_name is not None:
        profile["profile_name"] = wire.profile_name
    if wire.has_picture:
        profile["profile_picture_url"] = wire.picture_url
    aspects = {
        "open": frozenset({S, R, P, Q}),
        "close": frozenset({S, R, Q}),
        "refused": frozenset({S, Q}),
    }.get(state_, frozenset({S}))
    meaningful = state_ in (InstanceStatus.close.value, InstanceStatus.refused.value)
    return Observation(
        **common,
        state=InstanceStatus(state_),
        reason=wire.reason if meaningful else None,
        disconnection_reason=None if state_ == "open" else wire.reason,
        profile=profile,
        qr=None,
        aspects=aspects,
    )


def observation(
    instance: EvolutionInstance, wire: InstanceEvent, received_at: datetime
) -> Observation | str:
    """The observation an instance event makes, or why it is ignored."""
    at = received_at
    rank = None
    if isinstance(wire, ConnectionUpdate):
        rank = _SAME_INSTANT_RANK.get(wire.state or "")
    clock = Clock(wire.at, rank) if wire.at is not None else None
    common: dict[str, Any] = {"source": ConnectionSource.webhook, "at": at, "clock": clock}
    close = InstanceStatus.close
    if isinstance(wire, ConnectionUpdate):
        if wire.state is None:
            return f"unknown connection state {wire.raw_state!r}"
        return _connection(wire, wire.state, common)
    if isinstance(wire, InstanceClosed):
        if not wire.closed:
            return f"instance status {wire.raw_status!r} is not used"
        return Observation(
            **common,
            state=close,
            reason=wire.reason,
            disconnection_reason=wire.reason,
            qr=None,
            aspects=frozenset({S, R, Q}),
        )
    if isinstance(wire, LoggedOut):
        return Observation(**common, state=close, qr=None, aspects=frozenset({S, Q}))
    if isinstance(wire, InstanceRemoved):
        return Observation(
            **common, state=close, qr=None, note=DELETED_NOTE, aspects=frozenset({S, Q, N})
        )
    if isinstance(wire, InstanceCreated):
        # Only undoes our own "deleted on the server" note; the id is kept once known.
        undo = instance.last_error == DELETED_NOTE
        return Observation(
            **common,
            evolution_id=wire.evolution_id,
            note=None if undo else UNSET,
            aspects=frozenset({N}),
        )
    if isinstance(wire, QrCodeUpdated):
        if not wire.has_code:
            # {"message": "QR code limit reached, please login again", "statusCode": 500}
            if wire.problem is None:
                return Observation(**common, qr=None, aspects=frozenset({Q}), requires=Q)
            return Observation(
                **common, qr=None, note=wire.problem, aspects=frozenset({Q, N}), requires=Q
            )
        qr = Qr(wire.image, wire.code, wire.pairing_code)
        return Observation(**common, qr=qr, aspects=frozenset({Q}), requires=Q)
    return f"{wire.name} is not an instance event evodash uses"


def apply_instance_event(
    session: AsyncSession, instance: EvolutionInstance, wire: InstanceEvent, received_at: datetime
) -> Outcome:
    """Observe an instance event (the row is locked by the caller)."""
    made = observation(instance, wire, received_at)
    if isinstance(made, str):
        return ignored(made)
    change = state.observe(session, instance, made)
    return ignored(STALE) if change.stale else PROCESSED
