"""Receiving: check the secret, check the envelope, append the event, answer once durable.

The receiver does as little as it can per request, so that it keeps up with a fleet:

* the instance's secret digest is cached for a few seconds (one query a while per
  instance, not per event) and compared in constant time;
* the body is parsed once (:func:`evodash.core.jsonsafe.decode`: depth limit, content
  PostgreSQL would refuse made storable), checked as an envelope, and the instance token
  (``apikey``) masked before anything is stored;
* the event is appended to the inbox by :class:`Appender`, which writes the events of
  concurrent requests in one transaction (*group commit*, one driver round trip:
  :mod:`evodash.webhooks.inbox`) and answers each request only after that commit: a 2xx
  always means the event is durable;
* applying it is left to :mod:`evodash.webhooks.applier`, woken by the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.core import jsonsafe, metrics
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.locking import hold_sqlite_writer, sqlite_write_slot
from evodash.core.security import constant_time_equals
from evodash.evolution.models import WEBHOOK_EVENTS
from evodash.evolution.webhooks import Envelope, event_suffix
from evodash.instances.models import EvolutionInstance
from evodash.instances.webhook_secret import digest, stored_digest
from evodash.webhooks.errors import (
    MalformedWebhook,
    NotAnEvolutionEvent,
    WebhookInstanceGone,
    WebhookNotStored,
    WebhookUnauthorized,
)
from evodash.webhooks.inbox import InboxWriteFailed, InboxWriter
from evodash.webhooks.models import EventStatus, WebhookEvent

log = structlog.get_logger(__name__)

#: Evolution's events nest about a dozen levels; this leaves room and refuses abuse.
MAX_JSON_DEPTH = 64
#: How long a secret digest read from the database is trusted.
SECRET_CACHE_SECONDS = 10.0
#: At most this many events per group commit.
MAX_GROUP = 500
#: Bodies handed to the applier in memory (it reads the others from the database).
MAX_HANDOFF = 20_000
# Compared against when the instance does not exist, so both cases take as long.
_NO_DIGEST = "0" * 64
_KNOWN_EVENTS = frozenset(WEBHOOK_EVENTS) | {"GROUPS_UPDATE"}


def metric_event(name: object) -> str:
    """The event's name as a metric label: a name Evolution sends, or ``other`` (a sender
    must not be able to grow the series without bound)."""
    text = str(name)
    internal = text.replace(".", "_").replace("-", "_").upper()
    return text if internal in _KNOWN_EVENTS and len(text) <= 40 else "other"


def mask_token(value: object) -> object:
    """``E3B0…B924`` → ``****B924``: the instance token never reaches the database."""
    if not isinstance(value, str) or not value:
        return value
    return "****" + value[-4:]


@dataclass(frozen=True, slots=True)
class _Known:
    digest: str
    name: str
    until: float


#: Where sessions come from: the app's sessionmaker, looked up at each use (tests replace
#: it after startup).
Sessions = Callable[[], async_sessionmaker[AsyncSession]]


class SecretCache:
    """Instance id → its secret digest and name, read from the database and kept briefly."""

    def __init__(self, sessions: Sessions, app_secret: str) -> None:
        self.sessions = sessions
        self.app_secret = app_secret
        self._known: dict[int, _Known] = {}
        #: The secret last accepted for each instance, while its digest is cached: the same
        #: sender presents it on every post, and comparing it costs less than an HMAC.
        self._accepted: dict[int, str] = {}

    def forget(self, instance_id: int) -> None:
        self._known.pop(instance_id, None)
        self._accepted.pop(instance_id, None)

    def knows(self, instance_id: int) -> bool:
        return instance_id in self._known

    async def _load(self, instance_id: int) -> _Known | None:
        i = EvolutionInstance
        async with self.sessions()() as session:
            row = (
                await session.execute(
                    select(i.name, i.webhook_secret_digest, i.legacy_webhook_secret).where(
                        i.id == instance_id
                    )
                )
            ).first()
        self._accepted.pop(instance_id, None)
        if row is None:
            return None
        expected = stored_digest(row[1], row[2], self.app_secret)
        if expected is None:
            return None
        known = _Known(expected, row[0], time.monotonic() + SECRET_CACHE_SECONDS)
        self._known[instance_id] = known
        return known

    async def check(self, instance_id: int, presented: str | None) -> _Known | None:
        """The instance when ``presented`` is its secret; ``None`` otherwise."""
        known = self._known.get(instance_id)
        if known is None or known.until < time.monotonic():
            known = await self._load(instance_id)
        accepted = self._accepted.get(instance_id)
        if (
            known is not None
            and presented
            and accepted is not None
            and constant_time_equals(presented, accepted)
        ):
            return known
        given = digest(presented, self.app_secret) if presented else ""
        ok = constant_time_equals(given, known.digest if known else _NO_DIGEST)
        if not ok or known is None or not presented:
            return None
        self._accepted[instance_id] = presented
        return known


_TABLE = WebhookEvent.__table__
assert isinstance(_TABLE, Table)
# One multi-row INSERT … RETURNING (SQLAlchemy's "insertmanyvalues"). Its rows get
# increasing ids in VALUES order (SQLite: under the write lock; PostgreSQL: one sequence,
# read row by row), so sorting the ids pairs them with the rows: cheaper than asking
# SQLAlchemy to sort them (``sort_by_parameter_order``), which costs more than the insert.
_APPEND = insert(_TABLE).returning(_TABLE.c.id)


@dataclass(slots=True)
class _Pending:
    row: dict[str, Any]
    future: asyncio.Future[int]


class Appender:
    """Appends events to the inbox; concurrent appends share one transaction."""

    def __init__(
        self,
        sessions: Sessions,
        *,
        on_commit: Callable[[], None],
        on_gone: Callable[[int], None],
    ) -> None:
        self.sessions = sessions
        self.on_commit = on_commit
        self.on_gone = on_gone
        self._queue: list[_Pending] = []
        self._writer: asyncio.Task[None] | None = None
        #: Bodies of events just stored (id -> body), for this process's applier: it
        #: would otherwise read and decode them again. Bounded; oldest dropped first.
        #: Off (``keep_bodies``) when no applier runs in this process.
        self.handoff: dict[int, dict[str, Any]] = {}
        self.keep_bodies = True
        self._writer_of: InboxWriter | None = None

    async def append(self, row: dict[str, Any]) -> int:
        """Store ``row`` (a ``webhook_event``); its id once committed."""
        pending = _Pending(row, asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="webhook-appender")
        return await pending.future

    async def close(self) -> None:
        """Let the writes in progress finish, then give back the connection (called
        before the engine is disposed, and by tests beside other requests)."""
        # A write started meanwhile is waited for too. Then the writer is detached before
        # its connection is given back: a write that starts during that await opens a
        # writer of its own, which the next close closes (detached after the await, the
        # new writer and its connection were dropped instead).
        while self._writer is not None and not self._writer.done():
            with contextlib.suppress(Exception):
                await self._writer
        writer, self._writer_of = self._writer_of, None
        if writer is not None:
            await writer.close()

    async def _write_all(self) -> None:
        # Let the requests already on the loop append theirs before the first write: a
        # group of many costs about as much as a group of one.
        await asyncio.sleep(0)
        while self._queue:
            writer = self._inbox_writer()
            if writer is not None:
                with contextlib.suppress(InboxWriteFailed):  # the write fails and says so
                    await writer.open()
            # On SQLite the group is taken once the write slot is ours, so the requests
            # that came while the applier held it go in this commit. Taken before, they
            # waited for the applier's next batch as well (queued for the slot meanwhile).
            async with self._write_slot():
                group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                await self._write(group)

    async def _write(self, group: list[_Pending]) -> None:
        try:
            ids = await self._insert([p.row for p in group])
        except IntegrityError:
            # Only the instance's foreign key can fail: an instance was deleted after
            # its secret was checked. Write the others one by one.
            await self._one_by_one(group)
        except Exception:
            log.exception("webhook.append_failed", events=len(group))
            for pending in group:
                if not pending.future.done():
                    pending.future.set_exception(WebhookNotStored())
        else:
            for pending, event_id in zip(group, ids, strict=True):
                self._hand_off(event_id, pending.row["body"])
                if not pending.future.done():
                    pending.future.set_result(event_id)
        self.on_commit()

    def _engine(self) -> AsyncEngine | None:
        """The sessions' engine; ``None`` when they are bound to something else (a
        test's connection inside its rolled-back transaction)."""
        bind = self.sessions().kw.get("bind")
        return bind if isinstance(bind, AsyncEngine) else None

    def _write_slot(self) -> contextlib.AbstractAsyncContextManager[None]:
        """SQLite's write slot when the appender writes through the driver; nothing on
        PostgreSQL, nor for sessions bound elsewhere (their session takes it itself)."""
        bind = self._engine()
        if bind is not None and bind.dialect.name == "sqlite":
            return sqlite_write_slot(bind)
        return contextlib.nullcontext()

    def _hand_off(self, event_id: int, body: dict[str, Any]) -> None:
        if not self.keep_bodies:
            return
        if len(self.handoff) >= MAX_HANDOFF:
            del self.handoff[next(iter(self.handoff))]
        self.handoff[event_id] = body

    def _inbox_writer(self) -> InboxWriter | None:
        """The driver-level writer of the sessions' engine; ``None`` when sessions are
        bound to something else (a test's connection inside its rolled-back transaction:
        a write of its own would escape it)."""
        bind = self._engine()
        if bind is None:
            return None
        if self._writer_of is None or self._writer_of.engine is not bind:
            self._writer_of = InboxWriter(bind)
        return self._writer_of

    async def _insert(self, rows: list[dict[str, Any]]) -> list[int]:
        """Called with the write slot held (:meth:`_write_slot`)."""
        writer = self._inbox_writer()
        if writer is None:
            return await self._insert_with_session(rows)
        try:
            return await writer.append(rows)
        except InboxWriteFailed as exc:
            if exc.integrity:  # the caller writes the rows one by one to find which
                raise IntegrityError("INSERT INTO webhook_event", None, exc) from exc
            raise

    async def _insert_with_session(self, rows: list[dict[str, Any]]) -> list[int]:
        async with self.sessions()() as session:
            await hold_sqlite_writer(session)
            ids = sorted((await session.scalars(_APPEND, rows)).all())
            await session.commit()
        return ids

    async def _one_by_one(self, group: list[_Pending]) -> None:
        for pending in group:
            try:
                [event_id] = await self._insert([pending.row])
            except IntegrityError:
                instance_id = int(pending.row["instance_id"])
                self.on_gone(instance_id)
                log.info("webhook.instance_gone", instance_id=instance_id)
                pending.future.set_exception(WebhookInstanceGone())
            except Exception:
                log.exception("webhook.append_failed", events=1)
                pending.future.set_exception(WebhookNotStored())
            else:
                self._hand_off(event_id, pending.row["body"])
                pending.future.set_result(event_id)


def parse_envelope(raw: bytes, suffix: str | None) -> dict[str, Any]:
    """The body as a dict ready to store, or a 400/422 with a reason a human can act on."""
    try:
        body = jsonsafe.decode(raw, max_depth=MAX_JSON_DEPTH)
    except jsonsafe.MalformedJson as exc:
        raise MalformedWebhook(str(exc)) from exc
    except jsonsafe.TooDeep as exc:
        raise NotAnEvolutionEvent(str(exc)) from exc
    if not isinstance(body, dict):
        raise NotAnEvolutionEvent(f"expected a JSON object, got {type(body).__name__}")
    try:
        envelope = Envelope.model_validate(body)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise NotAnEvolutionEvent(reasons) from exc
    if suffix is not None and suffix.lower() != event_suffix(envelope.event):
        raise NotAnEvolutionEvent(
            f"the URL ends in /{suffix} but the event is {envelope.event!r} "
            f"(/{event_suffix(envelope.event)})"
        )
    if "apikey" in body:
        body["apikey"] = mask_token(body["apikey"])
    return body


class Receiver:
    """The webhook endpoint's work, shared by every request of the process."""

    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        *,
        on_commit: Callable[[], None],
    ) -> None:
        self.secrets = SecretCache(sessions, settings.secret())
        self.appender = Appender(sessions, on_commit=on_commit, on_gone=self.secrets.forget)

    async def authenticate(self, instance_id: int, secret: str | None, client: str) -> str:
        """The instance's name when ``secret`` is its webhook secret; 401 otherwise."""
        known = await self.secrets.check(instance_id, secret)
        if known is not None:
            return known.name
        if not self.secrets.knows(instance_id):
            reason = "unknown_instance"
        else:
            reason = "missing_secret" if not secret else "wrong_secret"
        log.warning("webhook.unauthorized", instance_id=instance_id, reason=reason, client=client)
        metrics.count_webhook("other", "unauthorized")
        raise WebhookUnauthorized()

    async def receive(self, instance_id: int, name: str, raw: bytes, *, suffix: str | None) -> int:
        """Store an authenticated event; its inbox id once durable."""
        try:
            body = parse_envelope(raw, suffix)
        except (MalformedWebhook, NotAnEvolutionEvent) as exc:
            # The reason, never the body: it may hold messages and the instance token.
            log.warning(
                "webhook.rejected",
                instance_id=instance_id,
                status=exc.status_code,
                reason=exc.detail,
                size=len(raw),
            )
            metrics.count_webhook("other", "invalid")
            raise
        if body["instance"] != name:
            log.warning(
                "webhook.instance_name_mismatch",
                instance_id=instance_id,
                expected=name,
                got=str(body["instance"])[:64],
            )
        now = utcnow()
        event_id = await self.appender.append(
            {
                "instance_id": instance_id,
                "event": str(body["event"])[:64],
                "instance_name": str(body["instance"])[:64],
                "body": body,
                "status": EventStatus.received.value,
                "attempts": 0,
                "received_at": now,
            }
        )
        metrics.count_webhook(metric_event(body["event"]), "received")
        return event_id


def receipt(event_id: int) -> bytes:
    """The answer's body (``WebhookReceipt``), written out directly: it is always this."""
    return b'{"ok":true,"event_id":%d,"status":"received"}' % event_id
