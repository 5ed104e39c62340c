"""Realtime: push every change to the browser.

Services call :func:`emit` with one of the events of :mod:`evodash.realtime.events`:
``emit(session, InstanceUpdatedEvent(data=...))``. The event is published after the
session commits, on the bus its sessionmaker names (:func:`with_bus`, used by
:func:`evodash.core.services.open_services`: no module global holds the bus). It is
dropped if the transaction it was emitted in rolls back (a SAVEPOINT included: what a
failed step announced never reaches a browser).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from evodash.core.background import TaskSet
from evodash.realtime.bus import EventBus

if TYPE_CHECKING:
    from evodash.realtime.events import Event

_PENDING = "evodash_realtime_pending"
#: ``session.info`` key of the bus that a session's committed events go to.
BUS_KEY = "evodash_realtime_bus"
_background = TaskSet()
_watchers: list[Callable[[Event], None]] = []

Pending = list[tuple[SessionTransaction | None, "Event"]]


def with_bus(
    sessionmaker: async_sessionmaker[AsyncSession], bus: EventBus
) -> async_sessionmaker[AsyncSession]:
    """``sessionmaker`` whose sessions publish their committed events on ``bus``."""
    info = {**sessionmaker.kw.get("info", {}), BUS_KEY: bus}
    return async_sessionmaker(**{**sessionmaker.kw, "info": info})


def watch(watcher: Callable[[Event], None]) -> Callable[[], None]:
    """Call ``watcher`` with every event this process commits (synchronously, before it
    is published; it must be quick). Returns the function that stops it."""
    _watchers.append(watcher)
    return lambda: _watchers.remove(watcher)


def emit(session: AsyncSession | Session, item: Event) -> None:
    """Queue ``item`` to publish after ``session`` commits, tied to the innermost
    transaction open now: if that one rolls back, ``item`` is dropped."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    transaction = sync.get_nested_transaction() or sync.get_transaction()
    sync.info.setdefault(_PENDING, []).append((transaction, item))


def pending(session: AsyncSession | Session) -> list[Event]:
    """The events queued on ``session`` and not published yet (tests, diagnostics)."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    return [item for _, item in sync.info.get(_PENDING, [])]


async def _publish(bus: EventBus, items: list[Event]) -> None:
    await bus.publish_many([item.model_dump(mode="json") for item in items])


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released: its events wait for the outermost commit
    queued: Pending | None = session.info.pop(_PENDING, None)
    if not queued:
        return
    for watcher in list(_watchers):
        for _, item in queued:
            watcher(item)
    bus: EventBus | None = session.info.get(BUS_KEY)
    if bus is None or not bus.listening:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no running loop: nobody to publish to
        return
    _background.spawn(_publish(bus, [item for _, item in queued]))


def _inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    current = transaction
    while current is not None:
        if current is ended:
            return True
        current = current.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction: Any) -> None:
    queued: Pending | None = session.info.get(_PENDING)
    if not queued:
        return
    if previous_transaction.parent is None:  # the whole transaction: nothing survives
        session.info.pop(_PENDING, None)
        return
    session.info[_PENDING] = [
        (transaction, item)
        for transaction, item in queued
        if not _inside(transaction, previous_transaction)
    ]
