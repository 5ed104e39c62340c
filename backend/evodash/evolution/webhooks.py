"""Evolution's webhook events (CONTRACT §6, §9, §10, §11), read into typed events.

:func:`parse_event` turns an envelope (``{"event", "instance", "data", "date_time", …}``)
into one of the event classes below; the rest of evodash never reads Evolution's field
names. Events evodash does not use become :class:`Unused`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from evodash.evolution.messages import NotAMessage, WireMessage, parse_message
from evodash.evolution.numbers import phone_from_jid, plain_int

CONNECTION_STATES = frozenset({"open", "connecting", "close", "refused"})


class Envelope(BaseModel):
    """What Evolution posts for every event (CONTRACT §9.6). Unknown keys are kept."""

    model_config = ConfigDict(extra="allow")

    event: str = Field(
        min_length=1, max_length=64, description="lower.dot name", examples=["messages.upsert"]
    )
    instance: str = Field(min_length=1, description="The instance's name on the server")
    data: Any = Field(description="Object, array or null, depending on the event")
    destination: str | None = None
    date_time: str | None = Field(
        default=None, description="Server wall-clock time (labelled Z, may not be UTC)"
    )
    sender: str | None = Field(default=None, description="The instance's own WhatsApp JID")
    server_url: str | None = None
    apikey: str | None = Field(default=None, description="The instance token, or null")

    @field_validator("event")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if not all(c.isalnum() or c in ".-_" for c in value):
            raise ValueError("must be an event name such as messages.upsert")
        return value


def event_suffix(event: str) -> str:
    """The ``byEvents`` URL suffix of an event name (CONTRACT §6.3)."""
    return event.replace(".", "-").replace("_", "-").lower()


def parse_server_time(value: object) -> datetime | None:
    """Evolution's ``date_time`` (ISO, a ``Z`` that may lie about the zone) as a datetime.

    Only compared with other ``date_time`` values of the same server, so the zone does not
    matter.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- the events ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookEvent:
    """What every event has: its name, the instance's name, and the server's clock."""

    name: str
    instance: str
    #: The server's ``date_time``: orders one server's events even when its zone is wrong.
    at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceEvent(WebhookEvent):
    """An event about the instance itself (connection, QR code, lifecycle)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionUpdate(InstanceEvent):
    """``connection.update``; ``state`` is None when the server sent a state we don't know
    (``raw_state`` says which)."""

    state: str | None
    raw_state: object = None
    reason: int | None = None
    owner_jid: str | None = None
    owner_phone: str | None = None  # E.164 digits of ``owner_jid``
    profile_name: str | None = None
    has_picture: bool = False  # whether the event says anything about the picture
    picture_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceClosed(InstanceEvent):
    """``status.instance`` (``closed`` is the only status it reports that we use)."""

    closed: bool
    raw_status: object = None
    reason: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedOut(InstanceEvent):
    """``logout.instance``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceRemoved(InstanceEvent):
    """``remove.instance`` / ``instance.delete``: gone from the server."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceCreated(InstanceEvent):
    """``instance.create``."""

    evolution_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QrCodeUpdated(InstanceEvent):
    """``qrcode.updated``: a new code, or (``has_code`` false) a problem such as "QR code
    limit reached" in ``problem``."""

    has_code: bool
    image: str | None = None  # PNG data URL
    code: str | None = None
    pairing_code: str | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageUpsert(WebhookEvent):
    """``messages.upsert`` or ``send.message``: one message (a list on older servers).
    ``problem`` is set when an item is not a message object."""

    messages: tuple[WireMessage, ...] = ()
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    message_id: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageUpdate(WebhookEvent):
    """``messages.update``: delivery receipts."""

    receipts: tuple[Receipt, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDelete(WebhookEvent):
    """``messages.delete``: messages deleted for everyone."""

    message_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Unused(WebhookEvent):
    """An event evodash does not use (it is still stored)."""

    data: Any = field(default=None, repr=False)


# --- reading them ----------------------------------------------------------------------


def _items(data: Any) -> Iterator[Mapping[str, Any]]:
    """``data`` is one object, but tolerate a list of them (older servers, history sync)."""
    if isinstance(data, Mapping):
        yield data
    elif isinstance(data, list):
        yield from (item for item in data if isinstance(item, Mapping))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _update_target(item: Mapping[str, Any]) -> str | None:
    key = item.get("key")
    return _str(item.get("keyId") or (key.get("id") if isinstance(key, Mapping) else None))


def _delete_target(item: Mapping[str, Any]) -> str | None:
    key = item.get("key") if isinstance(item.get("key"), Mapping) else item
    return _str(key.get("id")) if isinstance(key, Mapping) else None


def _connection(common: dict[str, Any], data: Mapping[str, Any]) -> ConnectionUpdate:
    raw = data.get("state")
    wuid = _str(data.get("wuid"))
    profile = data.get("profileName")
    picture = data.get("profilePictureUrl")
    return ConnectionUpdate(
        **common,
        state=raw if isinstance(raw, str) and raw in CONNECTION_STATES else None,
        raw_state=raw,
        reason=plain_int(data.get("statusReason")),
        owner_jid=wuid[:128] if wuid else None,
        owner_phone=phone_from_jid(wuid),
        profile_name=profile[:200] if isinstance(profile, str) else None,
        has_picture="profilePictureUrl" in data,
        picture_url=picture if isinstance(picture, str) else None,
    )


def _qrcode(common: dict[str, Any], data: Mapping[str, Any]) -> QrCodeUpdated:
    qrcode = data.get("qrcode")
    if not isinstance(qrcode, Mapping):
        # {"message": "QR code limit reached, please login again", "statusCode": 500}
        return QrCodeUpdated(**common, has_code=False, problem=_str(data.get("message")))
    image, code, pairing = qrcode.get("base64"), qrcode.get("code"), qrcode.get("pairingCode")
    return QrCodeUpdated(
        **common,
        has_code=True,
        image=image if isinstance(image, str) else None,
        code=code if isinstance(code, str) else None,
        pairing_code=pairing[:32] if isinstance(pairing, str) else None,
    )


def _upsert(common: dict[str, Any], data: Any, own_jid: str | None) -> MessageUpsert:
    found: list[WireMessage] = []
    for item in _items(data):
        try:
            found.append(parse_message(item, own_jid=own_jid))
        except NotAMessage as exc:
            return MessageUpsert(**common, problem=f"NotAMessage: {exc}")
    return MessageUpsert(**common, messages=tuple(found))


def parse_event(body: Mapping[str, Any], *, own_jid: str | None = None) -> WebhookEvent:
    """The typed event of a webhook body (an :class:`Envelope` already checked).

    ``own_jid``: the instance's own JID as last known, for the messages it sent when the
    envelope does not say (its ``sender``)."""
    name = str(body.get("event"))
    common: dict[str, Any] = {
        "name": name,
        "instance": str(body.get("instance")),
        "at": parse_server_time(body.get("date_time")),
    }
    data = body.get("data")
    fields: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    if name in ("messages.upsert", "send.message"):
        return _upsert(common, data, _str(body.get("sender")) or own_jid)
    if name == "messages.update":
        receipts = (
            Receipt(message_id=target, status=status)
            for item in _items(data)
            if (target := _update_target(item)) is not None
            and isinstance(status := item.get("status"), str)
        )
        return MessageUpdate(**common, receipts=tuple(receipts))
    if name == "messages.delete":
        targets = (t for item in _items(data) if (t := _delete_target(item)) is not None)
        return MessageDelete(**common, message_ids=tuple(targets))
    if name == "connection.update":
        return _connection(common, fields)
    if name == "qrcode.updated":
        return _qrcode(common, fields)
    if name == "status.instance":
        status = fields.get("status")
        return InstanceClosed(
            **common,
            closed=status in ("closed", "close"),
            raw_status=status,
            reason=plain_int(fields.get("disconnectionReasonCode")),
        )
    if name == "logout.instance":
        return LoggedOut(**common)
    if name in ("remove.instance", "instance.delete"):
        return InstanceRemoved(**common)
    if name == "instance.create":
        evolution_id = _str(fields.get("instanceId"))
        return InstanceCreated(**common, evolution_id=evolution_id[:64] if evolution_id else None)
    return Unused(**common, data=data)
