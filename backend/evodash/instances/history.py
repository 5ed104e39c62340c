"""Announcing instance changes to browsers (published once the session commits).

State changes are made by :mod:`evodash.instances.state`, which calls these.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import EvolutionInstance
from evodash.instances.schemas import InstanceRead
from evodash.realtime import emit
from evodash.realtime.events import InstanceQrCode, InstanceQrEvent, InstanceUpdatedEvent


def notify_updated(session: AsyncSession, instance: EvolutionInstance) -> None:
    """Tell browsers (after commit) that ``instance`` changed: the whole instance, as the
    API reads it (no secrets)."""
    emit(session, InstanceUpdatedEvent(data=InstanceRead.model_validate(instance)))


def notify_qr(session: AsyncSession, instance: EvolutionInstance) -> None:
    """Tell browsers (after commit) the instance's new QR or pairing code."""
    code = InstanceQrCode(
        id=instance.id,
        qr=instance.last_qr,
        code=instance.last_qr_code,
        pairing_code=instance.pairing_code,
        at=instance.last_qr_at,
    )
    emit(session, InstanceQrEvent(data=code))
