"""Message objects as a 2.3.6 server serializes them (CONTRACT §11).

Bytes are objects with numeric keys (``{"0": 12, "1": 250, …}``), 64-bit integers are
Long objects (``{"low", "high", "unsigned"}``), and text is always ``conversation``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Any

SENT_PUSH_NAME = "Você"


def enc_bytes(data: bytes) -> dict[str, int]:
    return {str(i): b for i, b in enumerate(data)}


def enc_long(value: int, *, unsigned: bool) -> dict[str, Any]:
    def signed32(v: int) -> int:
        v &= 0xFFFFFFFF
        return v - (1 << 32) if v >= 1 << 31 else v

    return {"low": signed32(value), "high": signed32(value >> 32), "unsigned": unsigned}


def digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def user_jid(number: str) -> str:
    return f"{digits(number)}@s.whatsapp.net"


def lid_for(number: str) -> str:
    """A stable fake LID for a phone number (a real LID cannot be derived from it)."""
    seed = int(hashlib.sha256(digits(number).encode()).hexdigest(), 16)
    return f"{10**14 + seed % (9 * 10**14)}@lid"


def normalize_recipient(number: str) -> str:
    """The JID ``sendText`` really uses (CONTRACT §8.1, §11.4)."""
    if "@" in number:
        return number
    num = digits(number)
    if len(num) == 13 and num.startswith("55"):
        ddd, rest = int(num[2:4]), num[4:]
        if ddd >= 31 and rest[0] == "9" and rest[1] in "789":
            num = num[:4] + rest[1:]
    return f"{num}@s.whatsapp.net"


def new_message_id(source: str = "android") -> str:
    """Ids whose shape gives Evolution's ``getDevice`` the wanted ``source``."""
    if source == "web":
        return "3EB0" + secrets.token_hex(9).upper()
    if source == "ios":
        return "3A" + secrets.token_hex(9).upper()
    return secrets.token_hex(16).upper()


def source_of(message_id: str) -> str:
    """Evolution's ``getDevice``: the sender's platform guessed from the id format."""
    if re.fullmatch(r"3A.{18}", message_id):
        return "ios"
    if re.fullmatch(r"3E.{20}", message_id):
        return "web"
    if re.fullmatch(r".{21}|.{32}", message_id):
        return "android"
    if re.match(r"3F|.{18}$", message_id):
        return "desktop"
    return "unknown"


def message_context_info() -> dict[str, Any]:
    now = int(time.time())
    return {
        "deviceListMetadata": {
            "senderKeyIndexes": [],
            "recipientKeyIndexes": [],
            "senderKeyHash": enc_bytes(secrets.token_bytes(10)),
            "senderTimestamp": enc_long(now - 86_400 * 10, unsigned=True),
            "recipientKeyHash": enc_bytes(secrets.token_bytes(10)),
            "recipientTimestamp": enc_long(now - 86_400 * 3, unsigned=True),
        },
        "deviceListMetadataVersion": 2,
        "messageSecret": enc_bytes(secrets.token_bytes(32)),
    }


def inbound_key(
    *,
    sender: str,
    message_id: str,
    from_me: bool,
    addressing: str,
    group_jid: str | None,
) -> dict[str, Any]:
    """A Baileys 7 key for a received message (1:1 or group, PN or LID addressing)."""
    pn, lid = user_jid(sender), lid_for(sender)
    primary, alt = (lid, pn) if addressing == "lid" else (pn, lid)
    if group_jid:
        return {
            "remoteJid": group_jid,
            "fromMe": from_me,
            "id": message_id,
            "participant": primary,
            "participantAlt": alt,
            "addressingMode": addressing,
        }
    return {
        "remoteJid": primary,
        "remoteJidAlt": alt,
        "fromMe": from_me,
        "id": message_id,
        "participant": "",
        "addressingMode": addressing,
    }


def image_message(
    *,
    media: bytes,
    mimetype: str,
    width: int,
    height: int,
    thumbnail: bytes,
    caption: str | None,
) -> dict[str, Any]:
    """``imageMessage`` with the 2.3.6 key order and encodings (webhooks/messages-upsert-image)."""
    path_id = secrets.token_urlsafe(36)
    query = (
        f"ccb=9-4&oh=01_{secrets.token_urlsafe(30)}&oe={int(time.time()) + 86_400 * 14:X}"
        "&_nc_sid=e6ed6c"
    )
    direct_path = f"/o1/v/t24/f2/m232/{path_id}?{query}"
    first_scan = max(len(media) // 8, 1)
    msg: dict[str, Any] = {
        "interactiveAnnotations": [],
        "scanLengths": [first_scan, len(media) // 3, len(media) // 4, len(media) // 4],
        "annotations": [],
        "url": f"https://mmg.whatsapp.net{direct_path}&mms3=true",
        "mimetype": mimetype,
    }
    if caption:
        msg["caption"] = caption
    msg.update(
        {
            "fileSha256": enc_bytes(hashlib.sha256(media).digest()),
            "fileLength": enc_long(len(media), unsigned=True),
            "height": height,
            "width": width,
            "mediaKey": enc_bytes(secrets.token_bytes(32)),
            "fileEncSha256": enc_bytes(hashlib.sha256(b"enc" + media).digest()),
            "directPath": direct_path,
            "mediaKeyTimestamp": enc_long(int(time.time()), unsigned=False),
            "jpegThumbnail": enc_bytes(thumbnail),
            "firstScanSidecar": enc_bytes(secrets.token_bytes(10)),
            "firstScanLength": first_scan,
            "midQualityFileSha256": enc_bytes(hashlib.sha256(b"mid" + media).digest()),
        }
    )
    return msg


def message_object(
    *,
    key: dict[str, Any],
    push_name: str | None,
    status: str,
    message: dict[str, Any],
    message_type: str,
    instance_id: str,
    context_info: Any = ...,
) -> dict[str, Any]:
    """The top-level message object; ``context_info=...`` leaves the key out."""
    obj: dict[str, Any] = {
        "key": key,
        "pushName": push_name,
        "status": status,
        "message": message,
    }
    if context_info is not ...:
        obj["contextInfo"] = context_info
    obj.update(
        {
            "messageType": message_type,
            "messageTimestamp": int(time.time()),
            "instanceId": instance_id,
            "source": source_of(key["id"]),
        }
    )
    return obj


def sent_context_info(quoted: dict[str, Any] | None, mentioned: list[str]) -> dict[str, Any]:
    """``contextInfo`` of an API send (responses/send-text.json), plus the quote if any."""
    info: dict[str, Any] = {
        "mentionedJid": [user_jid(m) for m in mentioned],
        "groupMentions": [],
        "ephemeralSettingTimestamp": enc_long(int(time.time()) - 86_400 * 2, unsigned=False),
        "disappearingMode": {"initiator": 0},
    }
    if quoted:
        info.update(quoted)
    return info
