"""Undo on Evolution what a rolled-back transaction promised (DESIGN §4, all-or-nothing).

Creating an instance writes a row, then creates it on Evolution. If anything fails after
Evolution said yes (a flush, the commit, the endpoint), the transaction rolls back and the
instance must be deleted on Evolution again. :func:`undo_on_rollback` ties that
compensation to the session: it runs (in the background) only if the session's
transaction ends without committing, and is dropped when it commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from evodash.core.background import TaskSet

log = structlog.get_logger(__name__)

_KEY = "evodash_instances_undo"
_tasks = TaskSet()

Undo = Callable[[], Awaitable[object]]


def undo_on_rollback(session: AsyncSession, undo: Undo, *, what: str) -> None:
    """Run ``undo()`` if ``session`` rolls back from now on; forget it when it commits."""
    session.sync_session.info.setdefault(_KEY, []).append((what, undo))


def schedule(undo: Undo, *, what: str) -> None:
    """Run ``undo()`` in the background now; failures are logged, never raised."""

    async def run() -> None:
        try:
            await undo()
            log.warning("instance.compensated", what=what)
        except Exception as exc:  # best effort: log and move on
            log.error("instance.compensation_failed", what=what, error=str(exc))

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # pragma: no cover - no loop: nothing can be undone
        log.error("instance.compensation_lost", what=what)
        return
    _tasks.spawn(run(), name="instance-compensation")


async def drain(max_wait: float | None = None) -> bool:
    """Wait for pending compensations (app shutdown, tests); ``False`` on timeout."""
    return await _tasks.drain(max_wait)


@event.listens_for(Session, "after_commit")
def _forget(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released (SQLAlchemy calls this hook for those too)
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _undo(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (a rollback, a failed commit, or
    # a session closed with its transaction open): undo on Evolution.
    if transaction.parent is not None:
        return
    for what, undo in session.info.pop(_KEY, []):
        schedule(undo, what=what)
