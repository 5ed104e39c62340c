"""Connection history: one ``connection_event`` per state *change*, never per repeat.

Evolution can report the same state many times a second (a reconnect loop sends bursts
of ``connection.update connecting``), so :func:`record_transition` writes only when the
state really changes. Callers: instance actions (``source="action"``), status sync
(``"sync"``) and the webhook receiver for ``connection.update`` (``"webhook"``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.db import utcnow
from evodash.instances.models import (
    ConnectionEvent,
    ConnectionSource,
    EvolutionInstance,
    InstanceStatus,
)
from evodash.instances.schemas import InstanceRead
from evodash.realtime import emit

#: Realtime event sent whenever an instance changes (payload: :func:`instance_payload`).
INSTANCE_UPDATED = "instance.updated"


def instance_payload(instance: EvolutionInstance) -> dict[str, Any]:
    """The instance as the API reads it (JSON-safe, no secrets): realtime event data."""
    return InstanceRead.model_validate(instance).model_dump(mode="json")


def notify_updated(session: AsyncSession, instance: EvolutionInstance) -> None:
    """Tell browsers (after commit) that ``instance`` changed."""
    emit(session, INSTANCE_UPDATED, instance_payload(instance))


def record_transition(
    session: AsyncSession,
    instance: EvolutionInstance,
    new_state: InstanceStatus | str,
    source: ConnectionSource | str,
    reason: int | None = None,
    *,
    detail: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Move ``instance`` to ``new_state``; record and announce it if that is a change.

    A plain function (no I/O, nothing to await): it sets ``instance.status``, adds a
    ``connection_event`` (``reason`` is Evolution's status/disconnection code) and queues
    the realtime ``instance.updated`` event, all inside the caller's transaction. Returns
    ``False`` (and does nothing) when the instance is already in that state.
    """
    state = InstanceStatus(new_state)
    previous = instance.status
    if previous == state.value:
        return False
    when = at or utcnow()
    instance.status = state.value
    if state is InstanceStatus.open:
        instance.connected_at = when
        instance.disconnection_reason = None
        # Whatever QR or pairing code was shown has been used.
        instance.last_qr = None
        instance.last_qr_code = None
        instance.pairing_code = None
    elif state in (InstanceStatus.close, InstanceStatus.refused) and reason is not None:
        instance.disconnection_reason = reason
    session.add(
        ConnectionEvent(
            instance_id=instance.id,
            state=state.value,
            previous_state=previous,
            reason_code=reason,
            source=ConnectionSource(source).value,
            detail=detail,
            at=when,
        )
    )
    notify_updated(session, instance)
    return True
