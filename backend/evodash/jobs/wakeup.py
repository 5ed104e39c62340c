"""Waking this process's workers when a transaction that queued a job commits.

A worker claims jobs by polling the queue (every second when idle), which is what lets any
process's worker take any job. A job queued by this process's own request or webhook would
wait up to that second for nothing: :func:`queued` marks the session, and once its
transaction commits, the workers of this process that :func:`listen` are woken at once. A
rolled-back transaction wakes nobody. Workers of other processes keep polling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

_KEY = "evodash.jobs.queued"
_listeners: set[Callable[[], None]] = set()


def queued(session: AsyncSession | Session) -> None:
    """The session's transaction queued (or re-queued) a job: wake workers at its commit."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info[_KEY] = True


def listen(wake: asyncio.Event) -> Callable[[], None]:
    """Set ``wake`` (from its own loop) after each commit that queued a job; returns the
    function that stops listening."""
    loop = asyncio.get_running_loop()

    def notify() -> None:
        try:
            loop.call_soon_threadsafe(wake.set)
        except RuntimeError:  # that loop is closed: its worker is gone
            _listeners.discard(notify)

    _listeners.add(notify)
    return lambda: _listeners.discard(notify)


@event.listens_for(Session, "after_commit")
def _wake(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released, not the transaction
    if session.info.pop(_KEY, False):
        for notify in list(_listeners):
            notify()


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back (a commit already took the mark)
        session.info.pop(_KEY, None)
