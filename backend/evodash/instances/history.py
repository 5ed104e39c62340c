"""Announcing instance changes to browsers (published once the session commits).

State changes are made by :mod:`evodash.instances.state`, which calls these.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import EvolutionInstance
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


def qr_payload(instance: EvolutionInstance) -> dict[str, Any]:
    """The ``instance.qr`` data: the newest QR or pairing code of the instance."""
    return {
        "id": instance.id,
        "qr": instance.last_qr,
        "code": instance.last_qr_code,
        "pairing_code": instance.pairing_code,
        "at": instance.last_qr_at.isoformat() if instance.last_qr_at else None,
    }


def notify_qr(session: AsyncSession, instance: EvolutionInstance) -> None:
    """Tell browsers (after commit) the instance's new QR or pairing code."""
    emit(session, "instance.qr", qr_payload(instance))
