"""Message rules: storing (idempotently), the allow-list decision, image jobs, sending, reading.

Services flush, never commit. Realtime events go through an ``emit`` callback so that the
webhook inbox can drop them when applying an event fails (its savepoint rolls back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from evodash import realtime
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.pagination import decode_time_id_cursor, encode_cursor
from evodash.core.schemas import CursorPage
from evodash.evolution.errors import EvolutionRejected
from evodash.instances.errors import InstanceNotConnected
from evodash.instances.models import EvolutionInstance
from evodash.messages import allowlist
from evodash.messages.errors import InvalidNumbers, InvalidRecipient, MessageNotFound
from evodash.messages.models import WhatsAppMessage
from evodash.messages.parsing import ParsedMessage, lower_statuses, parse_message
from evodash.messages.repository import MessageRepository
from evodash.messages.schemas import (
    AllowListRead,
    InstanceMessageCounts,
    MessageFilters,
    MessageRead,
    SendText,
)
from evodash.servers import service as servers
from evodash.servers.models import EvolutionServer
from evodash.users import audit
from evodash.users.models import User

log = structlog.get_logger(__name__)

Emit = Callable[[str, dict[str, Any]], None]


def message_payload(message: WhatsAppMessage) -> dict[str, Any]:
    """The realtime ``message.*`` payload: the API representation of the message."""
    return MessageRead.model_validate(message).model_dump(mode="json")


# --- storing ----------------------------------------------------------------------------


def _row(instance: EvolutionInstance, parsed: ParsedMessage, allowed: bool) -> dict[str, Any]:
    return {
        "instance_id": instance.id,
        "message_id": parsed.message_id,
        "remote_jid": parsed.remote_jid,
        "participant": parsed.participant,
        "sender_phone": parsed.sender_phone,
        "sender_name": parsed.sender_name,
        "direction": parsed.direction.value,
        "from_me": parsed.from_me,
        "is_group": parsed.is_group,
        "message_type": parsed.message_type,
        "text": parsed.text,
        "media_mimetype": parsed.media_mimetype,
        "status": parsed.status,
        "wa_timestamp": parsed.wa_timestamp,
        "is_allowed": allowed,
        "raw": parsed.raw,
    }


def decide_allowed(
    instance: EvolutionInstance, parsed: ParsedMessage, settings: Settings
) -> allowlist.Decision:
    """Outgoing messages are ours: always allowed. Incoming ones face the allow-list."""
    if parsed.from_me:
        return allowlist.Decision(True, "own_message")
    decision = allowlist.decide(
        parsed.sender_phone,
        global_entries=settings.allowed_phone_numbers,
        instance_entries=instance.allowed_numbers or [],
        default_region=settings.default_phone_region,
    )
    allowlist.log_decision(
        decision,
        instance_id=instance.id,
        instance=instance.name,
        number=parsed.sender_phone or parsed.sender.jid or "unknown",
    )
    return decision


async def _enqueue_image_job(
    session: AsyncSession, message: WhatsAppMessage, media_base64: str | None
) -> None:
    # Imported when needed: the jobs package builds on messages, not the other way round.
    from evodash.jobs.service import enqueue_image_job

    await enqueue_image_job(session, message=message, media_base64=media_base64)


async def store_message(
    session: AsyncSession,
    instance: EvolutionInstance,
    parsed: ParsedMessage,
    *,
    settings: Settings,
    emit: Emit,
) -> tuple[WhatsAppMessage | None, bool]:
    """Store a message once; ``(the new row or None if already stored, allowed)``.

    A new, allowed, incoming image gets an image-processing job; a blocked one gets
    nothing. A message seen again only moves its status forward.
    """
    decision = decide_allowed(instance, parsed, settings)
    repo = MessageRepository(session)
    message = await repo.insert_if_new(_row(instance, parsed, decision.allowed))
    if message is None:
        if parsed.status:
            changed = await repo.raise_status(
                instance.id, parsed.message_id, parsed.status, lower_statuses(parsed.status)
            )
            if changed is not None:
                emit("message.updated", message_payload(changed))
        return None, decision.allowed
    emit("message.created", message_payload(message))
    if decision.allowed and parsed.is_image and not parsed.from_me:
        await _enqueue_image_job(session, message, parsed.media_base64)
    return message, decision.allowed


async def ingest_message(
    session: AsyncSession,
    instance: EvolutionInstance,
    data: object,
    *,
    settings: Settings,
    emit: Emit,
    fallback_time: datetime,
    own_jid: str | None = None,
) -> tuple[ParsedMessage, WhatsAppMessage | None]:
    """Parse and store a message object from a webhook (``messages.upsert``, ``send.message``)."""
    parsed = parse_message(
        data,
        fallback_time=fallback_time,
        own_jid=own_jid or instance.owner_jid,
        default_region=settings.default_phone_region,
    )
    message, _ = await store_message(session, instance, parsed, settings=settings, emit=emit)
    return parsed, message


async def apply_status(
    session: AsyncSession, instance_id: int, message_id: str, status: str, *, emit: Emit
) -> bool:
    """Move a message's delivery status forward; ``False`` if the message is not stored."""
    repo = MessageRepository(session)
    changed = await repo.raise_status(instance_id, message_id, status, lower_statuses(status))
    if changed is not None:
        emit("message.updated", message_payload(changed))
        return True
    return await repo.by_message_id(instance_id, message_id) is not None


async def apply_delete(
    session: AsyncSession, instance_id: int, message_id: str, at: datetime, *, emit: Emit
) -> bool:
    """Mark a message deleted for everyone; ``False`` if the message is not stored."""
    repo = MessageRepository(session)
    changed = await repo.mark_deleted(instance_id, message_id, at)
    if changed is not None:
        emit("message.updated", message_payload(changed))
        return True
    return await repo.by_message_id(instance_id, message_id) is not None


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
    data = sent.model_dump(by_alias=True, exclude_none=True)
    data["key"]["fromMe"] = True
    parsed = parse_message(
        data,
        fallback_time=utcnow(),
        own_jid=instance.owner_jid,
        default_region=settings.default_phone_region,
    )

    def emit(event_type: str, payload: dict[str, Any]) -> None:
        realtime.emit(session, event_type, payload)

    message, _ = await store_message(session, instance, parsed, settings=settings, emit=emit)
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


async def get_message(session: AsyncSession, message_id: int) -> WhatsAppMessage:
    message = await MessageRepository(session).get(message_id)
    if message is None:
        raise MessageNotFound()
    return message


async def counts(
    session: AsyncSession, *, since: datetime | None, until: datetime | None
) -> list[InstanceMessageCounts]:
    rows = await MessageRepository(session).counts(since=since, until=until)
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
