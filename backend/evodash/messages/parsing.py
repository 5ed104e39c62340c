"""Reading Evolution's message object (CONTRACT §11) into the fields evodash stores.

Tolerates every 2.x serialization: 64-bit integers as numbers, strings or ``{low, high}``
objects, wrappers (``ephemeralMessage``, ``viewOnceMessage*``) around the content, text in
``conversation`` or in a v1 ``extendedTextMessage``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from evodash.messages.allowlist import Sender, normalize_number, phone_from_jid, resolve_sender
from evodash.messages.models import Direction

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


def decode_int64(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        return int(value) if value.strip().lstrip("-").isdigit() else None
    if isinstance(value, Mapping):
        low, high = value.get("low"), value.get("high")
        if isinstance(low, int) and isinstance(high, int):
            number = ((high & 0xFFFFFFFF) << 32) | (low & 0xFFFFFFFF)
            if not value.get("unsigned") and number >= 1 << 63:
                number -= 1 << 64
            return number
    return None


def unwrap(message: Mapping[str, Any]) -> tuple[str | None, Mapping[str, Any]]:
    """``(content key, content)`` after removing wrappers, e.g. ``("imageMessage", {...})``."""
    current: Mapping[str, Any] = message
    for _ in range(5):  # wrappers nest at most a couple of levels
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


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    remote_jid: str
    participant: str | None
    from_me: bool
    is_group: bool
    direction: Direction
    message_type: str
    text: str | None
    media_mimetype: str | None
    status: str | None
    wa_timestamp: datetime
    sender: Sender
    sender_phone: str | None
    sender_name: str | None
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


def parse_message(
    data: object,
    *,
    fallback_time: datetime,
    own_jid: str | None = None,
    default_region: str = "BR",
) -> ParsedMessage:
    """Read one message object (``messages.upsert``, ``send.message``, sendText answer)."""
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
    timestamp = decode_int64(data.get("messageTimestamp"))
    if timestamp and timestamp > 10**11:  # milliseconds
        timestamp //= 1000
    wa_time = datetime.fromtimestamp(timestamp, UTC) if timestamp else fallback_time
    status = data.get("status") if isinstance(data.get("status"), str) else None
    if from_me:
        own = phone_from_jid(own_jid)
        sender = Sender(phone=normalize_number(own, default_region) if own else None, jid=own_jid)
    else:
        sender = resolve_sender(key, default_region)
    mimetype = content.get("mimetype") if kind in MEDIA_TYPES else None
    push_name = data.get("pushName")
    return ParsedMessage(
        message_id=message_id[:128],
        remote_jid=remote_jid[:128],
        participant=participant[:128] if isinstance(participant, str) else None,
        from_me=from_me,
        is_group=remote_jid.endswith("@g.us"),
        direction=Direction.outgoing if from_me else Direction.incoming,
        message_type=kind,
        text=_text(kind, content_key or "", content),
        media_mimetype=mimetype[:100] if isinstance(mimetype, str) else None,
        status=status[:20] if status else None,
        wa_timestamp=wa_time,
        sender=sender,
        sender_phone=sender.phone,
        sender_name=push_name[:200] if isinstance(push_name, str) and push_name else None,
        raw=raw,
        media_base64=media,
    )
