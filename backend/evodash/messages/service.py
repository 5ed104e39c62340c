"""Message rules: storing (idempotently), the allow-list decision, image jobs, sending, reading.

Services flush, never commit. Realtime events are queued with :func:`evodash.realtime.emit`
(dropped if the transaction, or the SAVEPOINT, they were emitted in rolls back).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import structlog
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.pagination import decode_time_id_cursor, encode_cursor
from evodash.core.schemas import CursorPage
from evodash.evolution.errors import EvolutionRejected
from evodash.evolution.messages import STATUS_RANK, WireMessage, lower_statuses, parse_message
from evodash.instances.errors import InstanceNotConnected
from evodash.instances.models import EvolutionInstance
from evodash.messages import allowlist
from evodash.messages.errors import InvalidNumbers, InvalidRecipient, MessageNotFound
from evodash.messages.models import Direction, WhatsAppMessage
from evodash.messages.repository import MessageRepository
from evodash.messages.schemas import (
    AllowListRead,
    InstanceMessageCounts,
    MessageFilters,
    MessageRead,
    SendText,
)
from evodash.realtime import emit
from evodash.realtime.events import MessageCreatedEvent, MessageUpdatedEvent
from evodash.servers import service as servers
from evodash.servers.models import EvolutionServer
from evodash.teams.scope import EVERYTHING, Scope
from evodash.users import audit
from evodash.users.models import User

log = structlog.get_logger(__name__)
_DECISIONS = logging.getLogger(allowlist.__name__)


def message_created(session: AsyncSession, message: WhatsAppMessage) -> None:
    emit(session, MessageCreatedEvent(data=MessageRead.model_validate(message)))


# --- storing ----------------------------------------------------------------------------


def sender_phone(message: WireMessage, region: str) -> str | None:
    """The sender's canonical E.164 number, when the message tells it."""
    digits = message.sender.digits
    return allowlist.normalize_number("+" + digits, region) if digits else None


def _row(
    instance: EvolutionInstance,
    message: WireMessage,
    *,
    phone: str | None,
    allowed: bool,
    fallback_time: datetime,
) -> dict[str, Any]:
    return {
        "instance_id": instance.id,
        "message_id": message.message_id,
        "remote_jid": message.remote_jid,
        "participant": message.participant,
        "sender_phone": phone,
        "sender_name": message.push_name,
        "direction": (Direction.outgoing if message.from_me else Direction.incoming).value,
        "from_me": message.from_me,
        "is_group": message.is_group,
        "message_type": message.message_type,
        "text": message.text,
        "media_mimetype": message.media_mimetype,
        "status": message.status,
        "wa_timestamp": message.timestamp or fallback_time,
        "is_allowed": allowed,
        "raw": message.raw,
    }


def decide_allowed(
    instance: EvolutionInstance, message: WireMessage, phone: str | None, settings: Settings
) -> allowlist.Decision:
    """Outgoing messages are ours: always allowed. Incoming ones face the allow-list."""
    if message.from_me:
        return allowlist.Decision(True, "own_message")
    decision = allowlist.decide(
        phone,
        global_entries=settings.allowed_phone_numbers,
        instance_entries=instance.allowed_numbers or [],
        default_region=settings.default_phone_region,
    )
    if _DECISIONS.isEnabledFor(logging.INFO):  # thousands a second: skip what is filtered
        allowlist.log_decision(
            decision,
            instance_id=instance.id,
            instance=instance.name,
            number=phone or message.sender.jid or "unknown",
        )
    return decision


async def _enqueue_image_job(
    session: AsyncSession, message: WhatsAppMessage, media_base64: str | None, settings: Settings
) -> None:
    # Imported when needed: the jobs package builds on messages, not the other way round.
    from evodash.jobs.service import enqueue_image_job

    await enqueue_image_job(session, message=message, media_base64=media_base64, settings=settings)


async def store_message(
    session: AsyncSession,
    instance: EvolutionInstance,
    message: WireMessage,
    *,
    settings: Settings,
    fallback_time: datetime,
) -> tuple[WhatsAppMessage | None, bool]:
    """Store a message once; ``(the new row or None if already stored, allowed)``.

    A new, allowed, incoming image gets an image-processing job; a blocked one gets
    nothing. A message seen again only moves its status forward.
    """
    phone = sender_phone(message, settings.default_phone_region)
    decision = decide_allowed(instance, message, phone, settings)
    repo = MessageRepository(session)
    row = await repo.insert_if_new(
        _row(instance, message, phone=phone, allowed=decision.allowed, fallback_time=fallback_time)
    )
    if row is None:
        if message.status:
            await apply_changes(
                session,
                instance.id,
                receipts=[(message.message_id, message.status)],
                stored={message.message_id},
            )
        return None, decision.allowed
    message_created(session, row)
    if decision.allowed and message.is_image and not message.from_me:
        await _enqueue_image_job(session, row, message.media_base64, settings)
    return row, decision.allowed


@dataclass
class StoreResult:
    """What :func:`store_messages` did."""

    inserted: dict[str, int] = field(default_factory=dict)  # message_id -> row id
    #: ``(message_id, status)`` of messages that were already stored (or repeated).
    seen_again: list[tuple[str, str]] = field(default_factory=list)

    def known(self) -> set[str]:
        """The message ids now stored for sure: inserted, or already there."""
        return set(self.inserted) | {message_id for message_id, _ in self.seen_again}


async def store_messages(
    session: AsyncSession,
    instance: EvolutionInstance,
    incoming: Sequence[tuple[WireMessage, datetime]],
    *,
    settings: Settings,
) -> StoreResult:
    """Store many messages at once (``(message, arrival time)``, in arrival order): one
    INSERT for those not stored yet. Each new one is announced; an allowed incoming image
    gets its job. Messages seen before are returned in ``seen_again``: their status only
    moves forward (:func:`apply_changes`)."""
    result = StoreResult()
    now = utcnow()
    first: dict[str, tuple[dict[str, Any], WireMessage, bool]] = {}
    region = settings.default_phone_region
    for n, (message, arrived) in enumerate(incoming, 1):
        if not n % 64:
            await asyncio.sleep(0)  # a long batch: let requests be answered meanwhile
        if message.message_id in first:
            if message.status:
                result.seen_again.append((message.message_id, message.status))
            continue
        phone = sender_phone(message, region)
        allowed = decide_allowed(instance, message, phone, settings).allowed
        row = _row(instance, message, phone=phone, allowed=allowed, fallback_time=arrived)
        row.update(created_at=now, updated_at=now)
        first[message.message_id] = (row, message, allowed)
    result.inserted = await MessageRepository(session).insert_new([r for r, _, _ in first.values()])
    for n, (message_id, (row, message, allowed)) in enumerate(first.items(), 1):
        if not n % 64:
            await asyncio.sleep(0)
        ident = result.inserted.get(message_id)
        if ident is None:
            if message.status:
                result.seen_again.append((message_id, message.status))
            continue
        read = MessageRead.model_validate({**row, "id": ident, "deleted_at": None})
        emit(session, MessageCreatedEvent(data=read))
        if allowed and message.is_image and not message.from_me:
            stored = await session.get(WhatsAppMessage, ident)
            if stored is not None:
                await _enqueue_image_job(session, stored, message.media_base64, settings)
    return result


async def apply_changes(
    session: AsyncSession,
    instance_id: int,
    *,
    receipts: Sequence[tuple[str, str]] = (),
    deletes: Sequence[tuple[str, datetime]] = (),
    stored: Collection[str] = (),
) -> set[str]:
    """Move statuses forward and mark deletions; each changed message is announced once,
    as it ends. Returns the message ids that are not stored (yet): the events that named
    them wait for them. ``stored``: ids known to be stored (no need to look them up).

    One UPDATE per distinct status, the lowest rank first, each changing only rows whose
    status is empty or ranks lower: a message ends with the furthest status it was sent,
    whatever the receipts' order (a status never goes back). A status evodash does not
    rank only fills an empty one, after the known ones. A message deleted twice keeps the
    time of its first deletion."""
    targets = {m for m, _ in receipts} | {m for m, _ in deletes}
    if not targets:
        return set()
    repo = MessageRepository(session)
    now = utcnow()
    changed: dict[int, RowMapping] = {}
    by_status: dict[str, set[str]] = {}
    for message_id, status in receipts:
        by_status.setdefault(status, set()).add(message_id)
    for status in sorted(by_status, key=lambda s: (s not in STATUS_RANK, STATUS_RANK.get(s, 0))):
        rows = await repo.raise_statuses(
            instance_id, by_status[status], status, lower_statuses(status), now
        )
        changed.update((row["id"], row) for row in rows)
    first_deleted: dict[str, datetime] = {}
    for message_id, at in deletes:
        first_deleted.setdefault(message_id, at)
    by_time: dict[datetime, list[str]] = {}
    for message_id, at in first_deleted.items():
        by_time.setdefault(at, []).append(message_id)
    for at, message_ids in by_time.items():
        rows = await repo.mark_many_deleted(instance_id, message_ids, at, now)
        changed.update((row["id"], row) for row in rows)
    for row in changed.values():
        emit(session, MessageUpdatedEvent(data=MessageRead.model_validate(row)))
    unknown = targets - set(stored) - {row["message_id"] for row in changed.values()}
    return unknown - await repo.present(instance_id, unknown) if unknown else set()


# --- sending ----------------------------------------------------------------------------


def _recipient(number: str, region: str) -> str:
    value = number.strip()
    if "@" in value:
        if value.endswith(("@s.whatsapp.net", "@lid", "@g.us")) and value.split("@")[0]:
            return value
        raise InvalidRecipient(number)
    e164 = allowlist.normalize_number(value, region)
    if e164 is None:
        raise InvalidRecipient(number)
    return e164.lstrip("+")


async def send_text(
    session: AsyncSession,
    instance: EvolutionInstance,
    body: SendText,
    *,
    http: httpx.AsyncClient,
    settings: Settings,
    actor: User,
    ip: str | None,
) -> WhatsAppMessage:
    """Send a text through the instance (``sendText``) and store it as outgoing."""
    number = _recipient(body.number, settings.default_phone_region)
    server = await session.get(EvolutionServer, instance.server_id)
    if server is None:  # the foreign key makes this impossible; keep mypy and readers calm
        raise MessageNotFound()
    # client_for: a key that cannot be decrypted is a clear 409, not a 500.
    client = servers.client_for(http, server, settings)
    try:
        sent = await client.send_text(
            instance.name, number, body.text, delay_ms=body.delay_ms, quoted_id=body.quoted_id
        )
    except EvolutionRejected as exc:
        # Evolution's 500 "Connection Closed": the instance is not on WhatsApp right now.
        if exc.evolution_message != "Connection Closed":
            raise
        raise InstanceNotConnected(
            f'Instance "{instance.name}" is not connected to WhatsApp: connect it first.'
        ) from exc
    parsed = parse_message(sent.as_own_message(), own_jid=instance.owner_jid)
    message, _ = await store_message(
        session, instance, parsed, settings=settings, fallback_time=utcnow()
    )
    if message is None:  # the send.message webhook was faster than us
        message = await MessageRepository(session).by_message_id(instance.id, parsed.message_id)
    if message is None:  # pragma: no cover - the insert above conflicted, so the row exists
        raise MessageNotFound()
    audit.record(
        session,
        actor,
        "message.sent",
        object_type="message",
        object_id=message.id,
        detail={"instance_id": instance.id, "to": number},
        ip=ip,
    )
    log.info("message.sent", instance_id=instance.id, message_id=message.message_id)
    return message


# --- reading ----------------------------------------------------------------------------


def _search_terms(q: str | None) -> tuple[str | None, str | None]:
    """``(text, digits)``: a query made of a phone number's characters searches numbers."""
    if not q or not q.strip():
        return None, None
    query = q.strip()
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) >= 3 and all(c.isdigit() or c in "+-() ." for c in query):
        return None, digits
    return query, None


def _sender_values(sender: str | None, region: str) -> list[str]:
    if not sender:
        return []
    e164 = allowlist.normalize_number(sender, region)
    if e164 is None:
        return [sender.strip()]
    return sorted("+" + v for v in allowlist.variants(e164))


def _decode_after(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    return decode_time_id_cursor(cursor)


async def list_messages(
    session: AsyncSession,
    filters: MessageFilters,
    *,
    cursor: str | None,
    limit: int,
    settings: Settings,
) -> CursorPage[MessageRead]:
    text, digits = _search_terms(filters.q)
    rows = await MessageRepository(session).page(
        filters,
        senders=_sender_values(filters.sender, settings.default_phone_region),
        search_text=text,
        search_digits=digits,
        after=_decode_after(cursor),
        limit=limit + 1,
    )
    items = [MessageRead.model_validate(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.wa_timestamp.isoformat(), last.id])
    return CursorPage(items=items, next_cursor=next_cursor)


async def get_message(
    session: AsyncSession, message_id: int, scope: Scope = EVERYTHING
) -> WhatsAppMessage:
    message = await MessageRepository(session).get(message_id)
    if message is None or not scope.sees_instance(message.instance_id):
        raise MessageNotFound()
    return message


async def counts(
    session: AsyncSession,
    *,
    since: datetime | None,
    until: datetime | None,
    scope: Scope = EVERYTHING,
) -> list[InstanceMessageCounts]:
    rows = await MessageRepository(session).counts(since=since, until=until, scope=scope)
    return [
        InstanceMessageCounts(
            instance_id=r[0],
            total=r[1],
            incoming=r[2],
            outgoing=r[3],
            blocked=r[4],
            last_message_at=r[5],
        )
        for r in rows
    ]


# --- allow-list -------------------------------------------------------------------------


def allow_list(instance: EvolutionInstance, settings: Settings) -> AllowListRead:
    global_numbers, _ = allowlist.normalize_entries(
        settings.allowed_phone_numbers, settings.default_phone_region
    )
    numbers = list(instance.allowed_numbers or [])
    return AllowListRead(
        instance_id=instance.id,
        numbers=numbers,
        global_numbers=global_numbers,
        everyone_allowed=not numbers and not global_numbers,
    )


async def set_allowed_numbers(
    session: AsyncSession,
    instance: EvolutionInstance,
    entries: Sequence[str],
    *,
    settings: Settings,
    actor: User,
    ip: str | None,
) -> AllowListRead:
    numbers, invalid = allowlist.normalize_entries(entries, settings.default_phone_region)
    if invalid:
        raise InvalidNumbers(invalid)
    before = list(instance.allowed_numbers or [])
    if numbers != before:
        instance.allowed_numbers = numbers
        audit.record(
            session,
            actor,
            "instance.allowlist_updated",
            object_type="instance",
            object_id=instance.id,
            detail={
                "added": sorted(set(numbers) - set(before)),
                "removed": sorted(set(before) - set(numbers)),
            },
            ip=ip,
        )
        await session.flush()
    return allow_list(instance, settings)
