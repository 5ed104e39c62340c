"""The one owner of an instance's connection state.

Everything that learns something about an instance's connection (a webhook, a status
sync, an action of ours) describes it as an :class:`Observation` and calls
:func:`observe`, which changes the row, records the transition and queues the realtime
announcements. Nothing else writes ``status``, the disconnection reason, the QR code,
the profile or the error note.

Webhooks arrive out of order and repeated (CONTRACT §5, §9.4), so three rules make
applying them order-independent:

* **Newest wins, per aspect.** An observation writes some *aspects* of the instance (its
  state, the disconnection reason, the profile, the QR code, the error note). A webhook's
  aspect is applied only if no webhook already applied wrote it with a later server clock
  (``date_time``; the server's clock orders its own events even when its zone is wrong).
  The newest clock of each aspect is kept on the row (``webhook_clock``), so a late
  ``connecting`` cannot undo an ``open``, yet a late ``status.instance`` still records the
  disconnection reason nobody newer has overwritten. Syncs and actions have no server
  clock: they always apply (they ask the server, or are the server's answer, now).
* **Transitions only.** A state equal to the current one records no ``connection_event``;
  Evolution repeats ``connecting`` many times a second.
* **No-op writes are skipped**, so applying an observation again does not even touch
  ``updated_at``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.db import utcnow
from evodash.instances.history import notify_qr, notify_updated
from evodash.instances.models import (
    ConnectionEvent,
    ConnectionSource,
    EvolutionInstance,
    InstanceStatus,
)

#: How far back a server clock counts. Evolution stops retrying after ~25 minutes; a
#: server whose clock jumped back is believed again after this long.
CLOCK_WINDOW = timedelta(hours=1)


class Aspect(enum.StrEnum):
    state = "state"
    reason = "reason"
    profile = "profile"
    qr = "qr"
    note = "note"


class _Unset(enum.Enum):
    unset = "unset"


UNSET = _Unset.unset


@dataclass(frozen=True, slots=True)
class Qr:
    """A QR code (PNG data URL and its text) and/or a pairing code to show."""

    image: str | None
    code: str | None
    pairing_code: str | None


@dataclass(frozen=True, slots=True)
class Clock:
    """Where a webhook stands in its server's time; ``rank`` breaks ties of one instant
    (after a pairing Evolution reports ``connecting`` and ``open`` in the same ms)."""

    at: datetime
    rank: int | None = None


@dataclass(frozen=True, kw_only=True)
class Observation:
    """What was learnt about an instance, from where and when.

    Fields left ``UNSET`` are not written. ``reason`` goes on the transition's
    ``connection_event`` (and becomes the disconnection reason of a ``close``/``refused``).
    A webhook gives its ``clock`` and the ``aspects`` it writes.
    """

    source: ConnectionSource
    at: datetime
    state: InstanceStatus | None = None
    reason: int | None = None
    detail: str | None = None
    disconnection_reason: int | _Unset | None = UNSET
    profile: dict[str, Any] = field(default_factory=dict)
    qr: Qr | _Unset | None = UNSET  # None: forget the QR code
    note: str | _Unset | None = UNSET  # ``last_error``
    #: Evolution's id of the instance, kept once known.
    evolution_id: str | None = None
    clock: Clock | None = None
    aspects: frozenset[Aspect] = frozenset()
    #: A webhook is stale unless this aspect is fresh (a QR code event whose code is old).
    requires: Aspect | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    previous: str
    state: str


@dataclass(frozen=True, slots=True)
class Change:
    """What :func:`observe` did."""

    transition: Transition | None = None
    changed: bool = False  # anything but a new QR code changed
    new_qr: bool = False
    stale: bool = False  # a webhook whose aspects newer webhooks had all written

    @property
    def anything(self) -> bool:
        return self.transition is not None or self.changed or self.new_qr


STALE = Change(stale=True)


# --- the server clock ------------------------------------------------------------------


def _entry(instance: EvolutionInstance, aspect: Aspect) -> tuple[datetime, int | None, datetime]:
    raw = (instance.webhook_clock or {})[aspect.value]
    return (
        datetime.fromisoformat(raw["at"]),
        raw.get("rank"),
        datetime.fromisoformat(raw["seen"]),
    )


def _newer_exists(
    instance: EvolutionInstance, aspect: Aspect, clock: Clock, since: datetime
) -> bool:
    if aspect.value not in (instance.webhook_clock or {}):
        return False
    at, rank, seen = _entry(instance, aspect)
    if seen < since:
        return False
    if at != clock.at:
        return at > clock.at
    return rank is not None and clock.rank is not None and rank > clock.rank


def _fresh(instance: EvolutionInstance, obs: Observation) -> frozenset[Aspect]:
    if obs.clock is None:
        return obs.aspects
    since = min(utcnow(), obs.at) - CLOCK_WINDOW
    return frozenset(a for a in obs.aspects if not _newer_exists(instance, a, obs.clock, since))


def _advance_clock(instance: EvolutionInstance, obs: Observation, fresh: frozenset[Aspect]) -> None:
    """Keep ``obs``'s clock for the aspects it wrote; the same clock again changes nothing
    (applying an event twice leaves the row as it was)."""
    if obs.clock is None or not fresh:
        return
    clock = dict(instance.webhook_clock or {})
    since = min(utcnow(), obs.at) - CLOCK_WINDOW
    entry = {"at": obs.clock.at.isoformat(), "rank": obs.clock.rank, "seen": obs.at.isoformat()}
    for aspect in fresh:
        if aspect.value in clock:
            at, rank, seen = _entry(instance, aspect)
            known = seen >= since and at == obs.clock.at
            if known and (obs.clock.rank is None or (rank is not None and rank >= obs.clock.rank)):
                continue
        clock[aspect.value] = entry
    if clock != instance.webhook_clock:
        instance.webhook_clock = clock


# --- applying --------------------------------------------------------------------------


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


def _transition(
    session: AsyncSession, instance: EvolutionInstance, obs: Observation, state: InstanceStatus
) -> Transition | None:
    previous = instance.status
    if previous == state.value:
        return None
    instance.status = state.value
    if state is InstanceStatus.open:
        instance.connected_at = obs.at
        instance.disconnection_reason = None
        _clear_qr(instance)  # whatever code was shown has been used
    elif state in (InstanceStatus.close, InstanceStatus.refused) and obs.reason is not None:
        instance.disconnection_reason = obs.reason
    session.add(
        ConnectionEvent(
            instance_id=instance.id,
            state=state.value,
            previous_state=previous,
            reason_code=obs.reason,
            source=ConnectionSource(obs.source).value,
            detail=obs.detail,
            at=obs.at,
        )
    )
    return Transition(previous, state.value)


def apply(session: AsyncSession, instance: EvolutionInstance, obs: Observation) -> Change:
    """Write ``obs`` on ``instance`` (no I/O, nothing to await); the row is locked by the
    caller. Adds the ``connection_event`` of a transition to the session."""
    fresh = _fresh(instance, obs)
    if obs.clock is not None and (
        (obs.aspects and not fresh) or (obs.requires is not None and obs.requires not in fresh)
    ):
        return STALE
    every = obs.clock is None
    changed = new_qr = False
    if obs.evolution_id and not instance.evolution_id:
        changed |= _set(instance, evolution_id=obs.evolution_id)
    if obs.profile and (every or Aspect.profile in fresh):
        changed |= _set(instance, **obs.profile)
    if obs.disconnection_reason is not UNSET and (every or Aspect.reason in fresh):
        changed |= _set(instance, disconnection_reason=obs.disconnection_reason)
    if obs.qr is not UNSET and (every or Aspect.qr in fresh):
        if obs.qr is None:
            changed |= _clear_qr(instance)
        elif _set(
            instance,
            last_qr=obs.qr.image,
            last_qr_code=obs.qr.code,
            pairing_code=obs.qr.pairing_code,
        ):
            instance.last_qr_at = obs.at
            new_qr = True
    if obs.note is not UNSET and (every or Aspect.note in fresh):
        changed |= _set(instance, last_error=obs.note)
    transition = None
    if obs.state is not None and (every or Aspect.state in fresh):
        transition = _transition(session, instance, obs, obs.state)
    _advance_clock(instance, obs, fresh)
    return Change(transition=transition, changed=changed, new_qr=new_qr)


def announce(session: AsyncSession, instance: EvolutionInstance, change: Change) -> None:
    """Queue the realtime events of ``change`` (published once the session commits)."""
    if change.transition is not None or change.changed:
        notify_updated(session, instance)
    if change.new_qr and instance.last_qr_at is not None:
        notify_qr(session, instance)


def observe(session: AsyncSession, instance: EvolutionInstance, obs: Observation) -> Change:
    """:func:`apply` and :func:`announce`: the usual call."""
    change = apply(session, instance, obs)
    announce(session, instance, change)
    return change


async def expire_qr_codes(session: AsyncSession, shown_before: datetime) -> int:
    """Forget QR and pairing codes nobody can scan any more (one UPDATE)."""
    result = await session.execute(
        update(EvolutionInstance)
        .where(
            EvolutionInstance.last_qr_at < shown_before,
            or_(
                EvolutionInstance.last_qr.is_not(None),
                EvolutionInstance.last_qr_code.is_not(None),
                EvolutionInstance.pairing_code.is_not(None),
            ),
        )
        .values(last_qr=None, last_qr_code=None, pairing_code=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
