"""Realtime: push every change to the browser.

Use :func:`emit` from services: ``emit(session, "instance.updated", {...})``. The event is
published on the app's bus after the session commits (and dropped if it rolls back).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from evodash.realtime.bus import EventBus, make_event

_PENDING = "evodash_realtime_pending"
_bus: EventBus | None = None
_background: set[Any] = set()


def set_bus(bus: EventBus | None) -> None:
    """Called by the app's lifespan (and by workers) to choose where events go."""
    global _bus
    _bus = bus


def get_bus() -> EventBus | None:
    return _bus


def emit(session: AsyncSession | Session, event_type: str, data: dict[str, Any]) -> None:
    """Queue an event to publish after ``session`` commits."""
    sync_session = session.sync_session if isinstance(session, AsyncSession) else session
    sync_session.info.setdefault(_PENDING, []).append(make_event(event_type, data))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or _bus is None:
        return
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    bus = _bus
    for item in pending:
        task = loop.create_task(bus.publish(item))
        _background.add(task)
        task.add_done_callback(_background.discard)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction: object) -> None:
    # A rolled-back SAVEPOINT leaves the outer transaction alive: keep its events then.
    if not session.in_transaction():
        session.info.pop(_PENDING, None)
