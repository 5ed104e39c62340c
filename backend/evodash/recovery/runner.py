"""Running recovery passes: after startup, after an instance goes back to ``open``, and on
demand. Owned by the app's lifespan (:func:`start_recovery`).

Each pass: claim it (one running pass per instance, across processes), then page
through ``findMessages`` holding no transaction while Evolution answers, and store each
page in a short transaction of its own (so a big gap shows its progress, and a failure
keeps what was stored). The window's upper bound is fixed when the pass starts, so
messages stored meanwhile do not shift the pages (a message stored meanwhile with an
older WhatsApp time can still repeat a record: records are deduplicated by id).

Several processes may run this at once: claims are exclusive and storing is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash import realtime
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.errors import AppError
from evodash.evolution import EvolutionError
from evodash.evolution.messages import WireMessage
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.realtime.events import Event, InstanceUpdatedEvent, RecoveryUpdatedEvent
from evodash.recovery import service
from evodash.recovery.models import RecoveryRun, RecoveryTrigger
from evodash.recovery.repository import RecoveryRepository
from evodash.recovery.schemas import RecoveryRunRead
from evodash.servers import service as servers
from evodash.servers.models import EvolutionServer
from evodash.webhooks.handlers import describe

log = structlog.get_logger(__name__)

Sessions = Callable[[], async_sessionmaker[AsyncSession]]


def _announce(session: AsyncSession, run: RecoveryRun) -> None:
    """Tell the browsers once the pass's start or end is committed (the instance page
    lists the passes: one started by a reconnect must show without a reload)."""
    realtime.emit(session, RecoveryUpdatedEvent(data=RecoveryRunRead.model_validate(run)))


class Recovery:
    """Starts and runs recovery passes in this process."""

    def __init__(self, sessions: Sessions, http: httpx.AsyncClient, settings: Settings) -> None:
        self.sessions = sessions  # looked up at each use (tests replace it after startup)
        self.http = http
        self.settings = settings
        self._slots = asyncio.Semaphore(settings.recovery_concurrency)
        self._runs: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._unwatch: Callable[[], None] | None = None

    # --- starting passes ------------------------------------------------------------------

    async def request(
        self,
        instance_id: int,
        trigger: RecoveryTrigger,
        *,
        since: datetime | None = None,
        requested_by: int | None = None,
    ) -> RecoveryRun | None:
        """Claim a pass (committed) and run it in the background; ``None`` when one is
        running for the instance already. Raises the window's validation errors."""
        async with self.sessions()() as session:
            instance = await session.get(EvolutionInstance, instance_id)
            if instance is None or instance.deleted_at is not None:
                return None
            run = await service.claim(
                session,
                instance,
                self.settings,
                trigger=trigger,
                since=since,
                requested_by=requested_by,
            )
            if run is not None:
                _announce(session, run)
            await session.commit()
        if run is not None:
            log.info(
                "recovery.started",
                run_id=run.id,
                instance_id=instance_id,
                trigger=trigger.value,
                since=run.since.isoformat(),
            )
            task = asyncio.create_task(self._guarded(run.id), name=f"recovery-{run.id}")
            self._runs.add(task)
            task.add_done_callback(self._runs.discard)
        return run

    async def startup_once(self) -> int:
        """A pass for every instance that was ever open; the number started."""
        async with self.sessions()() as session:
            await RecoveryRepository(session).give_up_silent(None, utcnow() - service.SILENT_AFTER)
            ids = await RecoveryRepository(session).ever_connected()
            await session.commit()
        started = 0
        for instance_id in ids:
            started += await self.request(instance_id, RecoveryTrigger.startup) is not None
        return started

    async def reconnected_once(self) -> int:
        """A pass for every instance that went back to ``open`` since its last pass."""
        async with self.sessions()() as session:
            ids = await RecoveryRepository(session).reconnected()
        started = 0
        for instance_id in ids:
            started += await self.request(instance_id, RecoveryTrigger.reconnect) is not None
        return started

    # --- one pass -------------------------------------------------------------------------

    async def _guarded(self, run_id: int) -> None:
        async with self._slots:
            try:
                await self.run(run_id)
            except Exception as exc:  # the pass is recorded as failed, the loop goes on
                log.exception("recovery.crashed", run_id=run_id)
                await self._finish(run_id, describe(exc))

    async def _finish(self, run_id: int, error: str | None) -> RecoveryRun | None:
        async with self.sessions()() as session:
            run = await session.get(RecoveryRun, run_id)
            if run is None:
                return None
            service.finish(run, error)
            _announce(session, run)
            await session.commit()
        log.info(
            "recovery.finished",
            run_id=run_id,
            instance_id=run.instance_id,
            status=run.status,
            found=run.found,
            new=run.new,
            pages=run.pages_done,
            error=error,
        )
        return run

    async def run(self, run_id: int) -> RecoveryRun | None:
        """Page through the pass's window and store what is new; the finished pass."""
        async with self.sessions()() as session:
            run = await session.get(RecoveryRun, run_id)
            instance = await session.get(EvolutionInstance, run.instance_id) if run else None
            server = await session.get(EvolutionServer, instance.server_id) if instance else None
        if run is None or instance is None or server is None:
            return await self._finish(run_id, "the instance no longer exists")
        try:
            client = servers.client_for(
                self.http, server, self.settings, retries=self.settings.evolution_read_retries
            )
        except AppError as exc:
            return await self._finish(run_id, exc.detail)
        seen: set[str] = set()
        page, size = 1, self.settings.recovery_page_size
        while not self._stopping.is_set():
            try:
                answer = await client.find_messages(
                    instance.name, since=run.since, until=run.until, page=page, page_size=size
                )
            except EvolutionError as exc:
                return await self._finish(run_id, str(exc))
            fresh: list[WireMessage] = []
            for message in service.read_records(answer.records, instance):
                if message.message_id not in seen:
                    seen.add(message.message_id)
                    fresh.append(message)
            try:
                async with self.sessions()() as session:
                    current = await session.get(RecoveryRun, run_id)
                    if current is None:
                        return None
                    await service.store_page(
                        session,
                        self.settings,
                        current,
                        fresh,
                        pages_total=answer.pages,
                        total=answer.total,
                    )
                    await session.commit()
            except service.InstanceGone:
                return await self._finish(run_id, "the instance was deleted")
            if len(answer.records) < size or page >= answer.pages:
                return await self._finish(run_id, None)
            if len(seen) >= self.settings.recovery_max_messages:
                return await self._finish(
                    run_id,
                    f"stopped after {len(seen)} messages (RECOVERY_MAX_MESSAGES); the next "
                    "pass goes on from the newest stored message",
                )
            page += 1
        return await self._finish(run_id, "interrupted: evodash is stopping")

    # --- lifecycle ------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if isinstance(event, InstanceUpdatedEvent) and event.data.status == InstanceStatus.open:
            self._wake.set()

    async def _watch_reconnects(self) -> None:
        poll = self.settings.recovery_poll_seconds
        if self.settings.recovery_on_startup:
            try:
                await self.startup_once()
            except Exception:
                log.exception("recovery.startup_failed")
        while not self._stopping.is_set():
            try:
                await self.reconnected_once()
            except Exception:
                log.exception("recovery.reconnect_check_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), poll)
            self._wake.clear()

    def start(self, *, background: bool = True) -> None:
        """Run passes on demand; with ``background``, also after startup and reconnects."""
        if not background:
            return
        self._unwatch = realtime.watch(self._on_event)
        self._loop = asyncio.create_task(self._watch_reconnects(), name="recovery-watch")

    async def settle(self) -> None:
        """Wait for the passes running now (tests)."""
        while self._runs:
            await asyncio.gather(*list(self._runs), return_exceptions=True)

    async def stop(self, grace: float = 10.0) -> None:
        """Stop starting passes; running ones stop after their current page."""
        self._stopping.set()
        self._wake.set()
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        tasks = [t for t in (self._loop, *self._runs) if t is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


async def start_recovery(app: FastAPI) -> Recovery:
    state = app.state
    settings: Settings = state.settings
    recovery = Recovery(lambda: state.sessionmaker, state.http, settings)
    recovery.start(background=settings.background_tasks)
    return recovery


async def stop_recovery(recovery: Recovery | None) -> None:
    if recovery is not None:
        await recovery.stop()
