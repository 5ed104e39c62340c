"""Evolution's message object (CONTRACT §11), read into :class:`WireMessage`.

Tolerates every 2.x serialization: 64-bit integers as numbers, strings or ``{low, high}``
objects, wrappers (``ephemeralMessage``, ``viewOnceMessage*``) around the content, text in
``conversation`` or in a v1 ``extendedTextMessage``. The sender of a message known only
by its ``@lid`` (a privacy id, not a phone number) is resolved through the alternate JID
fields of the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from evodash.evolution.numbers import decode_int64, phone_from_jid

#: Content key → the short type evodash stores.
CONTENT_TYPES: dict[str, str] = {
    "conversation": "text",
    "extendedTextMessage": "text",
    "imageMessage": "image",
    "videoMessage": "video",
    "ptvMessage": "video",
    "audioMessage": "audio",
    "documentMessage": "document",
    "stickerMessage": "sticker",
    "locationMessage": "location",
    "liveLocationMessage": "location",
    "contactMessage": "contact",
    "contactsArrayMessage": "contact",
    "reactionMessage": "reaction",
}
MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})
WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",
)
_WRAPPER_KEYS = frozenset(WRAPPERS)
#: Keys of ``message`` that are never the content.
NOISE = frozenset({"messageContextInfo", "base64", "mediaUrl", "speechToText"})

#: Delivery statuses in the order they progress; a status never goes back (CONTRACT §10.7).
STATUS_RANK: dict[str, int] = {
    "DELETED": 0,
    "PENDING": 1,
    "ERROR": 2,
    "SERVER_ACK": 3,
    "DELIVERY_ACK": 4,
    "READ": 5,
    "PLAYED": 6,
}


class NotAMessage(ValueError):
    """The ``data`` of a message event lacks what every message has (``key.id``…)."""


def lower_statuses(status: str) -> list[str]:
    """The statuses ``status`` may replace (those ranked strictly below it)."""
    rank = STATUS_RANK.get(status)
    if rank is None:
        return []
    return [s for s, r in STATUS_RANK.items() if r < rank]


def unwrap(message: Mapping[str, Any]) -> tuple[str | None, Mapping[str, Any]]:
    """``(content key, content)`` after removing wrappers, e.g. ``("imageMessage", {...})``."""
    current: Mapping[str, Any] = message
    for _ in range(5):  # wrappers nest at most a couple of levels
        if _WRAPPER_KEYS.isdisjoint(current):  # the usual case, checked in one step
            break
        wrapper = next((w for w in WRAPPERS if isinstance(current.get(w), Mapping)), None)
        if wrapper is None:
            break
        inner = current[wrapper].get("message")
        if not isinstance(inner, Mapping):
            break
        current = inner
    for key, value in current.items():
        if key not in NOISE and key in CONTENT_TYPES:
            return key, value if isinstance(value, Mapping) else {"text": value}
    for key, value in current.items():
        if key not in NOISE:
            return key, value if isinstance(value, Mapping) else {}
    return None, {}


def _text(kind: str, content_key: str, content: Mapping[str, Any]) -> str | None:
    if content_key == "conversation" or kind == "text":
        value = content.get("text")
    elif kind in MEDIA_TYPES:
        value = content.get("caption") or (content.get("fileName") if kind == "document" else None)
    elif kind == "location":
        lat, lng = content.get("degreesLatitude"), content.get("degreesLongitude")
        coords = f"{lat},{lng}" if lat is not None and lng is not None else None
        value = content.get("name") or content.get("address") or coords
    elif kind == "contact":
        value = content.get("displayName")
    elif kind == "reaction":
        value = content.get("text")
    else:
        value = None
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent a message, as far as the message key tells."""

    digits: str | None  # the phone number's digits, or None when only a LID is known
    jid: str | None  # the JID the digits were read from, or the best JID there is


def resolve_sender(key: Mapping[str, Any]) -> Sender:
    """The counterpart of a received message (CONTRACT §11.3).

    1:1 chats look at ``remoteJid``, ``remoteJidAlt``, ``senderPn``, ``previousRemoteJid``;
    groups at ``participant``, ``participantAlt``, ``participantPn``. ``""`` is absent.
    """
    remote = key.get("remoteJid") or ""
    participant = key.get("participant") or ""
    is_group = isinstance(remote, str) and remote.endswith("@g.us")
    fields: tuple[str, ...]
    if is_group or participant:
        fields = ("participant", "participantAlt", "participantPn")
    else:
        fields = ("remoteJid", "remoteJidAlt", "senderPn", "previousRemoteJid")
    jids = [c for f in fields if isinstance(c := key.get(f), str) and c]
    for jid in jids:
        if (digits := phone_from_jid(jid)) is not None:
            return Sender(digits, jid)
    return Sender(None, jids[0] if jids else None)


@dataclass(frozen=True, slots=True)
class WireMessage:
    """One message object (``messages.upsert``, ``send.message``, a ``sendText`` answer)."""

    message_id: str
    remote_jid: str
    participant: str | None
    from_me: bool
    is_group: bool
    message_type: str
    text: str | None
    media_mimetype: str | None
    status: str | None
    #: WhatsApp's timestamp; ``None`` when the object has none (use the arrival time).
    timestamp: datetime | None
    sender: Sender
    push_name: str | None
    raw: dict[str, Any]  # the message object without ``message.base64``
    media_base64: str | None

    @property
    def is_image(self) -> bool:
        return self.message_type == "image"


def strip_media(data: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A shallow copy of the message object without ``message.base64``, and that base64."""
    raw = dict(data)
    message = raw.get("message")
    media: str | None = None
    if isinstance(message, Mapping) and "base64" in message:
        message = dict(message)
        value = message.pop("base64")
        media = value if isinstance(value, str) and value else None
        raw["message"] = message
    return raw, media


def _timestamp(value: object) -> datetime | None:
    seconds = decode_int64(value)
    if not seconds:
        return None
    if seconds > 10**11:  # milliseconds
        seconds //= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_message(data: object, *, own_jid: str | None = None) -> WireMessage:
    """Read one message object; ``own_jid`` is the instance's own JID (the sender of the
    messages it sends). Raises :class:`NotAMessage` when ``key.id`` or ``key.remoteJid``
    is missing."""
    if not isinstance(data, Mapping):
        raise NotAMessage("data is not a message object")
    key = data.get("key")
    if not isinstance(key, Mapping):
        raise NotAMessage("the message has no key")
    message_id, remote_jid = key.get("id"), key.get("remoteJid")
    if not isinstance(message_id, str) or not message_id:
        raise NotAMessage("the message key has no id")
    if not isinstance(remote_jid, str) or not remote_jid:
        raise NotAMessage("the message key has no remoteJid")
    raw, media = strip_media(data)
    message = data.get("message")
    content_key, content = unwrap(message if isinstance(message, Mapping) else {})
    kind = CONTENT_TYPES.get(content_key or "", "other" if content_key else "unknown")
    from_me = bool(key.get("fromMe"))
    participant = key.get("participant") or None
    status = data.get("status") if isinstance(data.get("status"), str) else None
    sender = Sender(phone_from_jid(own_jid), own_jid) if from_me else resolve_sender(key)
    mimetype = content.get("mimetype") if kind in MEDIA_TYPES else None
    push_name = data.get("pushName")
    return WireMessage(
        message_id=message_id[:128],
        remote_jid=remote_jid[:128],
        participant=participant[:128] if isinstance(participant, str) else None,
        from_me=from_me,
        is_group=remote_jid.endswith("@g.us"),
        message_type=kind,
        text=_text(kind, content_key or "", content),
        media_mimetype=mimetype[:100] if isinstance(mimetype, str) else None,
        status=status[:20] if status else None,
        timestamp=_timestamp(data.get("messageTimestamp")),
        sender=sender,
        push_name=push_name[:200] if isinstance(push_name, str) and push_name else None,
        raw=raw,
        media_base64=media,
    )


def media_request(raw: Mapping[str, Any] | None, message_id: str) -> dict[str, Any]:
    """The body of ``getBase64FromMediaMessage`` for a stored message object: the full
    message when we have it (which needs no Evolution database), else its key id."""
    raw = raw or {}
    nested = raw.get("data")
    data: Mapping[str, Any] = nested if isinstance(nested, Mapping) else raw
    key, content = data.get("key"), data.get("message")
    if isinstance(key, Mapping) and isinstance(content, Mapping):
        content = {k: v for k, v in content.items() if k != "base64"}
        return {"message": {"key": dict(key), "message": content}}
    return {"message_id": message_id}


def found_message_object(record: Mapping[str, Any]) -> dict[str, Any]:
    """A ``findMessages`` record as the message object a webhook carries: the receipts of
    ``MessageUpdate`` become ``status`` (the furthest one), the row's fields are dropped."""
    data = {k: v for k, v in record.items() if k not in ("id", "MessageUpdate")}
    best: str | None = None
    updates = record.get("MessageUpdate")
    for update in updates if isinstance(updates, list) else []:
        status = update.get("status") if isinstance(update, Mapping) else None
        if isinstance(status, str) and STATUS_RANK.get(status, -1) > STATUS_RANK.get(
            best or "", -1
        ):
            best = status
    if best is not None:
        data["status"] = best
    return data
