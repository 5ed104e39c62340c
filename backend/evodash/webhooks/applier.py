"""Applying the inbox: in order per instance, in batches, one applier per instance at a time.

Every API process runs an :class:`Applier`. Woken by the receiver's commits (and every
``poll_seconds`` in case another process received the events), it takes the oldest
waiting events, groups them by instance and applies each group with set-based statements
(:mod:`evodash.webhooks.handlers`), then records every outcome and creates the forwarding
attempts and their jobs, all in one transaction. So nothing is applied twice (a crash rolls
the whole batch back; the restart applies it again) and nothing acknowledged is left behind.

On PostgreSQL several processes share the work: an instance's events are applied under
a transaction-level advisory lock on the instance, taken with ``pg_try_advisory_xact_lock``
(an applier skips the instances another one holds), so each instance is applied by one
applier at a time, in id order. SQLite has one writer: the applier takes the write lock
(``BEGIN IMMEDIATE``) for its batch, and every webhook acknowledgement waits for that
batch to commit. There the batches are bounded in time, not only in events: the applier
learns how long an event takes to apply and takes as many as fit in ``max_hold`` seconds
(30 ms), so that neither an acknowledgement nor an API write waits long behind a batch.
What can be done before the lock is: the events this process received are read into
typed events ahead of the batch (:meth:`Applier._read_ahead`), and the receiver takes its
next group only once the lock is free, so that a request waits for one batch at most.

The bound is not tighter because each batch costs a dozen statements whatever its size:
with 15 ms (on the ninth machine, before the read ahead and the cheaper receipts) an event
cost 1.9-3.2 ms of server CPU against 1.5-2.0 ms with 100 ms. On the twelfth machine, with
both, 30 ms gave an acknowledgement p99 of 41-42 ms against 45-58 ms with 100 ms, for the
same CPU per event (0.28-0.32 ms): see "Webhook ingest, twelfth machine" in
docs/benchmarks.md. Batches never shrink below ``min_batch`` (100) events: on a machine
so loaded that an event seems to take a millisecond, 30 ms would let in 30, and each
batch's statements would cost some 40 % more CPU per event just when it is scarce.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from sqlalchemy import ARRAY, Integer, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core import metrics
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.locking import begin_write
from evodash.destinations.service import enabled_for
from evodash.evolution.webhooks import WebhookEvent as Wire
from evodash.evolution.webhooks import parse_event
from evodash.instances.models import EvolutionInstance
from evodash.webhooks import handlers
from evodash.webhooks.context import Outcome
from evodash.webhooks.forwarding import enqueue_attempt, first_attempts
from evodash.webhooks.handlers import Stored
from evodash.webhooks.models import WebhookDelivery
from evodash.webhooks.receiver import metric_event
from evodash.webhooks.repository import EventRepository

log = structlog.get_logger(__name__)

#: The advisory lock namespace of instances being applied (``"evod"``).
LOCK_NAMESPACE = 0x65766F64
_TRY_LOCK = text(
    "SELECT i FROM unnest(:ids) AS i WHERE pg_try_advisory_xact_lock(:ns, i)"
).bindparams(bindparam("ids", type_=ARRAY(Integer)))


class Applier:
    """Drains the inbox. ``linger``: after a small batch, wait this long so that the
    next one is bigger (cheaper per event) while events keep coming. ``max_hold``: on
    SQLite, the time a batch may hold the write lock (None: unbounded)."""

    def __init__(
        self,
        sessions: Callable[[], async_sessionmaker[AsyncSession]],
        settings: Settings,
        *,
        handoff: dict[int, dict[str, Any]] | None = None,
        batch_size: int = 300,
        instances_per_batch: int = 50,
        linger: float = 0.1,
        poll_seconds: float = 1.0,
        max_hold: float | None = 0.03,
        min_batch: int = 100,
    ) -> None:
        self.sessions = sessions  # the app's sessionmaker, looked up at each use
        self.settings = settings
        self.handoff = handoff if handoff is not None else {}
        self.batch_size = batch_size
        self.instances_per_batch = instances_per_batch
        self.linger = linger
        self.poll_seconds = poll_seconds
        self.max_hold = max_hold
        self.min_batch = min_batch
        #: Seconds an event takes to apply, averaged over recent batches (SQLite bound).
        self._per_event: float | None = None
        #: SQLite: events read ahead of the next batch (id -> the body read, the own JID
        #: used, the typed event), and each instance's own JID as the last batch left it
        #: (by instance name). The body is kept to be compared by identity: SQLite gives
        #: the id of a deleted row to the next one (no AUTOINCREMENT), so an id read ahead
        #: whose event was deleted with its instance may name a new event.
        self._ahead: dict[int, tuple[dict[str, Any], str | None, Wire]] = {}
        self._own_jids: dict[str, str | None] = {}
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-applier")

    async def stop(self, grace: float = 10.0) -> None:
        """Finish the batch in progress (a batch is never cut short), then stop."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task

    async def _run(self) -> None:
        self._wake.set()  # first, what a previous run acknowledged and did not apply
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                await self.drain()
            except Exception:
                log.exception("webhook.applier_failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.poll_seconds)

    async def drain(self) -> int:
        """Apply batches until nothing waits (for this process); the number applied."""
        total = 0
        while not self._stopping.is_set():
            limit = self.limit()
            applied = await self.apply_once()
            total += applied
            if not applied:
                break
            if applied < limit and self.linger:
                await asyncio.sleep(self.linger)
        return total

    async def settle(self) -> int:
        """Apply everything waiting now, even when stopping (tests, shutdown)."""
        total = 0
        while applied := await self.apply_once():
            total += applied
        return total

    def limit(self) -> int:
        """The most events the next batch takes."""
        if self._per_event is None or self.max_hold is None:
            return self.batch_size
        fit = int(self.max_hold / max(self._per_event, 1e-6))
        return max(self.min_batch, min(self.batch_size, fit))

    async def apply_once(self) -> int:
        """Apply one batch; the number of events applied."""
        async with self._lock:
            applied, held = await self._apply_batch(self.limit())
            if applied and held is not None and self.max_hold is not None:
                per_event = held / applied
                last = self._per_event
                self._per_event = per_event if last is None else 0.7 * last + 0.3 * per_event
            return applied

    def _read_ahead(self, limit: int) -> None:
        """SQLite: read the next ``limit`` events this process received (their bodies are
        in memory) before the batch takes the write lock, where every acknowledgement
        waits for it. A batch uses an event read ahead only when the instance's own JID
        is still the one it was read with (a ``connection.update`` in the batch may set
        it), and reads the others then."""
        if len(self._ahead) > 4 * self.batch_size:  # events applied without their read
            self._ahead.clear()
        for event_id, body in itertools.islice(self.handoff.items(), limit):
            known = self._ahead.get(event_id)
            if known is None or known[0] is not body:
                own_jid = self._own_jids.get(str(body.get("instance")))
                try:
                    self._ahead[event_id] = (body, own_jid, parse_event(body, own_jid=own_jid))
                except Exception:  # the batch reads it again, and records it as failed
                    self._ahead.pop(event_id, None)

    async def _claim(self, session: AsyncSession) -> list[int]:
        """PostgreSQL: the instances to apply now, those with waiting events (oldest
        first) that no other applier holds."""
        candidates = await EventRepository(session).waiting_instances(self.instances_per_batch)
        if not candidates:
            return []
        held = await session.scalars(_TRY_LOCK, {"ids": list(candidates), "ns": LOCK_NAMESPACE})
        mine = set(held.all())
        return [i for i in candidates if i in mine]

    async def _apply_batch(self, limit: int) -> tuple[int, float | None]:
        """Apply up to ``limit`` events (SQLite): how many, and on SQLite how long the
        batch held the write lock (what ``max_hold`` bounds)."""
        async with self.sessions()() as session:
            repo = EventRepository(session)
            sqlite = session.get_bind().dialect.name == "sqlite"
            if sqlite:  # one applier: the write lock is its claim, on every instance
                self._read_ahead(limit)
                await begin_write(session)
                held_since = time.perf_counter()
                rows = await repo.oldest_waiting(limit)
            else:
                instance_ids = await self._claim(session)
                rows = await repo.waiting(instance_ids, self.batch_size) if instance_ids else []
            if not rows:
                return 0, None
            bodies = {row.id: body for row in rows if (body := self.handoff.pop(row.id, None))}
            if len(bodies) < len(rows):  # received by another process, or before a restart
                bodies.update(await repo.bodies([r.id for r in rows if r.id not in bodies]))
            groups: dict[int, list[Stored]] = {}
            for row in rows:
                body = bodies[row.id]
                known = self._ahead.pop(row.id, None)
                ahead = known[1:] if known is not None and known[0] is body else None
                groups.setdefault(row.instance_id, []).append(
                    Stored(row.id, row.event, body, row.received_at, ahead)
                )
            instances = await _lock_instances(session, list(groups))
            outcomes: dict[int, Outcome] = {}
            deliveries: list[WebhookDelivery] = []
            destinations = await enabled_for(session, groups)
            for instance_id, items in groups.items():
                instance = instances.get(instance_id)
                if instance is None:  # deleted meanwhile: its events went with it
                    continue
                outcomes.update(
                    await handlers.apply_events(session, self.settings, instance, items)
                )
                if instance.deleted_at is None:
                    relayed = [i for i in items if getattr(outcomes.get(i.id), "relay", True)]
                    deliveries += first_attempts(
                        destinations.get(instance_id, []),
                        ((i.id, i.name, i.received_at) for i in relayed),
                    )
            await repo.record_outcomes(
                ((event_id, o.status.value, o.note) for event_id, o in outcomes.items()),
                utcnow(),
            )
            session.add_all(deliveries)
            await session.flush()
            for delivery in deliveries:  # their jobs: the queue runs them (any worker)
                enqueue_attempt(session, delivery)
            await session.commit()
            held = time.perf_counter() - held_since if sqlite else None
            if sqlite:
                self._own_jids.update((i.name, i.owner_jid) for i in instances.values())
        names = {row.id: row.event for row in rows}
        for event_id, outcome in outcomes.items():
            metrics.count_webhook(metric_event(names.get(event_id, "")), outcome.status.value)
        return len(rows), held


async def _lock_instances(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, EvolutionInstance]:
    """The instances' rows, read again and locked (their state changes here).

    ``FOR NO KEY UPDATE``, the lock PostgreSQL's own UPDATE of these rows takes: it
    serializes every change of an instance's state as ``FOR UPDATE`` would, but not the
    foreign key checks of rows that name the instance. With ``FOR UPDATE``, every event
    received for the instance (its inbox row names it) waited for this whole batch to
    commit before it could be acknowledged."""
    stmt = (
        select(EvolutionInstance)
        .where(EvolutionInstance.id.in_(ids))
        .order_by(EvolutionInstance.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {i.id: i for i in (await session.scalars(stmt)).all()}
