"""The webhook pipeline and its periodic work, started by the app's lifespan.

* the receiver (:mod:`evodash.webhooks.receiver`) and the applier
  (:mod:`evodash.webhooks.applier`), which the receiver wakes after each commit;
* (forwarding is a job kind of the job queue: :mod:`evodash.webhooks.forwarding`).

And the periodic tasks of the pipeline, run once across all processes by the scheduler
(:mod:`evodash.schedule`):

* :func:`sweep_deferred`: apply again the updates/deletes that still wait for their
  message (closes the race where both commit at the same moment), give up on old ones;
* :func:`purge_inbox`: purge inbox events older than ``WEBHOOK_EVENT_RETENTION_DAYS``, in
  small transactions (SQLite has one writer); on schedule the retention purge
  (:mod:`evodash.retention`) does it with the other kinds of data;
* :func:`expire_qr`: forget QR codes nobody can scan any more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash import realtime
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.instances.state import expire_qr_codes
from evodash.realtime.events import Event, InstanceDeletedEvent
from evodash.webhooks import service
from evodash.webhooks.applier import Applier
from evodash.webhooks.receiver import Receiver
from evodash.webhooks.repository import EventRepository

log = structlog.get_logger(__name__)

#: A QR code rotates every 45 s; one older than this cannot be scanned.
QR_TTL = timedelta(minutes=2)
#: Give concurrent transactions this long before sweeping a deferred event.
DEFERRED_GRACE = timedelta(seconds=30)
PURGE_BATCH = 2000


class WebhookTasks:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        sessions: Callable[[], async_sessionmaker[AsyncSession]] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        sessions = sessions or (lambda: sessionmaker)
        self.applier = Applier(sessions, settings)
        self.receiver = Receiver(sessions, settings, on_commit=self.applier.wake)
        self.applier.handoff = self.receiver.appender.handoff
        self._stopping = asyncio.Event()
        self._unwatch: Callable[[], None] | None = None

    def _forget_deleted(self, event: Event) -> None:
        if isinstance(event, InstanceDeletedEvent):
            self.receiver.secrets.forget(event.data.id)

    async def settle(self) -> int:
        """Apply every event received so far (tests: wait for the pipeline)."""
        await self.receiver.appender.close()
        return await self.applier.settle()

    async def sweep_deferred_once(self, limit: int = 500) -> int:
        return await sweep_deferred(self.sessionmaker, self.settings, limit=limit)

    async def purge_once(self) -> int:
        """Purge expired events and forget unscannable QR codes; the number purged."""
        purged = await purge_inbox(self.sessionmaker, self.settings, self._stopping)
        await expire_qr(self.sessionmaker)
        return purged

    def start(self, *, apply: bool = True, keep_bodies: bool = True) -> None:
        """Start applying. Without ``apply`` (a process that must not touch the database
        behind the requests, such as a test's; or ``EMBEDDED_APPLIER=false``, where
        ``evodash worker`` processes apply), events are still received and stored, and
        applied elsewhere (or by :meth:`settle`). Without ``keep_bodies`` the receiver
        keeps no bodies in memory for an applier of this process (there is none)."""
        # An instance deleted by this process stops being accepted at once (other
        # processes: when their cached secret expires, a few seconds later).
        self._unwatch = realtime.watch(self._forget_deleted)
        self.receiver.appender.keep_bodies = keep_bodies
        if apply:
            self.applier.start()

    async def stop(self, grace: float = 10.0) -> None:
        """Let each loop finish its current round (a database write is never cut short).
        What was acknowledged and not applied yet stays in the inbox for the next start."""
        self._stopping.set()
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        await self.receiver.appender.close()
        await self.applier.stop(grace)


async def start_webhook_tasks(app: FastAPI) -> WebhookTasks:
    """Called by the lifespan once the engine and the HTTP client exist. The receiver
    always exists; applying runs with ``BACKGROUND_TASKS`` and ``EMBEDDED_APPLIER``.
    Sessions come from ``app.state.sessionmaker``, looked up at each use (tests replace
    it after startup)."""
    state = app.state
    settings: Settings = state.settings
    tasks = WebhookTasks(state.sessionmaker, settings, sessions=lambda: state.sessionmaker)
    tasks.start(
        apply=settings.background_tasks and settings.embedded_applier,
        keep_bodies=settings.embedded_applier,
    )
    return tasks


async def stop_webhook_tasks(tasks: WebhookTasks | None) -> None:
    if tasks is not None:
        await tasks.stop()


# --- periodic tasks (evodash.schedule) ----------------------------------------------------


async def sweep_deferred(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, limit: int = 500
) -> int:
    """Apply again the deferred events older than :data:`DEFERRED_GRACE`; how many."""
    async with sessionmaker() as session:
        ids = await EventRepository(session).deferred_ids(utcnow() - DEFERRED_GRACE, limit)
    for event_id in ids:
        async with sessionmaker() as session:
            await service.retry_deferred(session, event_id, settings=settings)
            await session.commit()
    return len(ids)


async def purge_inbox(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    stopping: asyncio.Event | None = None,
) -> int:
    """Purge expired events in small transactions; the number purged."""
    cutoff = utcnow() - timedelta(days=settings.webhook_event_retention_days)
    total = 0
    while True:
        async with sessionmaker() as session:
            purged = await service.purge_events(session, older_than=cutoff, limit=PURGE_BATCH)
            await session.commit()
        total += purged
        if purged < PURGE_BATCH or (stopping is not None and stopping.is_set()):
            break
    if total:
        log.info("webhook.events_purged", count=total, before=cutoff.isoformat())
    return total


async def expire_qr(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Forget QR codes older than :data:`QR_TTL` (nobody can scan them any more)."""
    async with sessionmaker() as session:
        expired = await expire_qr_codes(session, utcnow() - QR_TTL)
        await session.commit()
    return expired
