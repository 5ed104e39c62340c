"""Messages: API sends, contacts writing in, receipts, revokes, and media download."""

from __future__ import annotations

import asyncio
import base64
import copy
from dataclasses import dataclass
from typing import Any

from evodash.simulator import events as ev
from evodash.simulator.errors import EvolutionError, RawEvolutionError, bad_request, internal
from evodash.simulator.media import Picture
from evodash.simulator.messages import (
    SENT_PUSH_NAME,
    digits,
    image_message,
    inbound_key,
    message_context_info,
    message_object,
    new_message_id,
    normalize_recipient,
    sent_context_info,
    user_jid,
)
from evodash.simulator.service import Simulator
from evodash.simulator.state import Instance, StoredMessage

MEDIA_TYPES = (
    "imageMessage",
    "videoMessage",
    "audioMessage",
    "documentMessage",
    "stickerMessage",
    "ptvMessage",
)
_WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "documentWithCaptionMessage",
)


def _store(instance: Instance, stored: StoredMessage) -> None:
    stored.seq = len(instance.messages)
    instance.messages[stored.key_id] = stored
    instance.chats.add(stored.remote_jid)


def _quote(instance: Instance, quoted: dict[str, Any] | None) -> dict[str, Any] | None:
    if not quoted:
        return None
    key = quoted.get("key") or {}
    original = instance.messages.get(str(key.get("id")))
    message = quoted.get("message") or (original.data["message"] if original else None)
    if message is None:
        return None
    text = message.get("conversation")
    participant = instance.owner_jid if original is None or original.from_me else None
    if original is not None and not original.from_me:
        participant = original.data["key"].get("remoteJidAlt") or original.remote_jid
    return {
        "stanzaId": key.get("id"),
        "participant": participant,
        "quotedMessage": {"conversation": text} if text is not None else message,
    }


def _schedule_receipts(sim: Simulator, instance: Instance, stored: StoredMessage) -> None:
    delay = sim.config.receipt_delay
    if delay is None:
        return

    async def receipts() -> None:
        for status in ("DELIVERY_ACK", "READ"):
            await asyncio.sleep(delay)
            if not sim.alive(instance) or instance.state == "close":
                return
            emit_status(sim, instance, stored, status)

    sim.spawn(receipts())


def emit_status(sim: Simulator, instance: Instance, stored: StoredMessage, status: str) -> None:
    data: dict[str, Any] = {
        "keyId": stored.key_id,
        "remoteJid": stored.remote_jid,
        "fromMe": stored.from_me,
        "status": status,
        "instanceId": instance.id,
        "messageId": stored.db_id,
    }
    stored.updates.append(status)
    participant = stored.data["key"].get("participant")
    if participant:
        data["participant"] = participant
    sim.emit(instance, ev.MESSAGES_UPDATE, data)


async def send_text(sim: Simulator, instance: Instance, body: dict[str, Any]) -> dict[str, Any]:
    text = body["text"]
    if not text.strip():
        raise bad_request("Text is required")
    if instance.state != "open":
        if not instance.had_socket:
            raise internal("Cannot read properties of undefined (reading 'onWhatsApp')")
        raise internal("Connection Closed")
    number: str = body["number"]
    jid = normalize_recipient(number)
    if jid.endswith("@s.whatsapp.net") and (
        digits(number) in sim.state.unregistered_numbers
        or jid.split("@")[0] in sim.state.unregistered_numbers
    ):
        raise EvolutionError(400, [{"jid": jid, "exists": False, "number": number}])
    delay = body.get("delay")
    if isinstance(delay, int | float) and delay > 0:
        await asyncio.sleep(delay / 1000)
    quoted = _quote(instance, body.get("quoted"))
    data = message_object(
        key={"remoteJid": jid, "fromMe": True, "id": new_message_id("web")},
        push_name=SENT_PUSH_NAME,
        status="PENDING",
        message={"conversation": text},
        context_info=sent_context_info(quoted, list(body.get("mentioned") or [])),
        message_type="conversation",
        instance_id=instance.id,
    )
    stored = StoredMessage(key_id=data["key"]["id"], remote_jid=jid, from_me=True, data=data)
    _store(instance, stored)
    sim.emit(instance, ev.SEND_MESSAGE, data)
    _schedule_receipts(sim, instance, stored)
    return data


@dataclass(slots=True)
class Inbound:
    """A message a contact (or the owner's own phone) sends to the instance."""

    sender: str
    push_name: str | None = None
    text: str | None = None
    picture: Picture | None = None
    addressing: str = "lid"
    group_jid: str | None = None
    from_me: bool = False
    message_id: str | None = None
    #: ``False``: stored by the server, but its webhooks never reached anyone.
    deliver_webhook: bool = True
    #: WhatsApp's time of the message (Unix seconds) when not now (late delivery, sync).
    timestamp: int | None = None


def receive(sim: Simulator, instance: Instance, msg: Inbound) -> dict[str, Any] | None:
    """Deliver ``msg`` as ``messages.upsert``; ``None`` when the server would drop it."""
    if instance.state != "open":
        raise EvolutionError(409, [f'The "{instance.name}" instance is not connected'])
    if msg.group_jid and instance.settings.values.get("groupsIgnore") is True:
        return None
    key_id = msg.message_id or new_message_id("ios" if msg.from_me else "android")
    key = inbound_key(
        sender=msg.sender,
        message_id=key_id,
        from_me=msg.from_me,
        addressing=msg.addressing,
        group_jid=msg.group_jid,
    )
    push_name = instance.profile_name if msg.from_me else msg.push_name
    status = "SERVER_ACK" if msg.from_me else "DELIVERY_ACK"
    pic = msg.picture
    if pic is None:
        content: dict[str, Any] = {
            "conversation": msg.text or "",
            "messageContextInfo": message_context_info(),
        }
        data = message_object(
            key=key,
            push_name=push_name,
            status=status,
            message=content,
            message_type="conversation",
            instance_id=instance.id,
        )
    else:
        media = image_message(
            media=pic.data,
            mimetype=pic.mimetype,
            width=pic.width,
            height=pic.height,
            thumbnail=pic.thumbnail,
            caption=msg.text,
        )
        content = {"imageMessage": media, "messageContextInfo": message_context_info()}
        data = message_object(
            key=key,
            push_name=push_name,
            status=status,
            message=content,
            message_type="imageMessage",
            instance_id=instance.id,
            context_info=None,
        )
    if msg.timestamp is not None:
        data["messageTimestamp"] = msg.timestamp
    chat = key["remoteJid"]
    new_chat = chat not in instance.chats
    _store(
        instance,
        StoredMessage(
            key_id=key_id,
            remote_jid=chat,
            from_me=msg.from_me,
            data=data,
            media=pic.data if pic else None,
            mimetype=pic.mimetype if pic else None,
            caption=msg.text if pic else None,
            width=pic.width if pic else None,
            height=pic.height if pic else None,
        ),
    )
    delivered = data
    if not msg.deliver_webhook:
        if not msg.from_me:
            instance.contacts.add(user_jid(msg.sender))
        return delivered
    if pic is not None and instance.socket_base64:
        delivered = copy.copy(data)
        delivered["message"] = {**content, "base64": base64.b64encode(pic.data).decode("ascii")}
    sim.emit(instance, ev.MESSAGES_UPSERT, delivered)
    _emit_contact_and_chat(sim, instance, msg, chat, new_chat)
    return delivered


def _emit_contact_and_chat(
    sim: Simulator, instance: Instance, msg: Inbound, chat: str, new_chat: bool
) -> None:
    if msg.from_me:
        return
    contact = user_jid(msg.sender)
    known = contact in instance.contacts
    instance.contacts.add(contact)
    info = {
        "remoteJid": contact,
        "pushName": msg.push_name,
        "profilePicUrl": None,
        "instanceId": instance.id,
    }
    sim.emit(instance, ev.CONTACTS_UPDATE if known else ev.CONTACTS_UPSERT, info)
    if new_chat:
        chat_info: dict[str, Any] = {"remoteJid": chat, "instanceId": instance.id}
        if msg.push_name and not msg.group_jid:
            chat_info["name"] = msg.push_name
        chat_info["unreadMessages"] = 1
        sim.emit(instance, ev.CHATS_UPSERT, [chat_info])


def revoke(sim: Simulator, instance: Instance, key_id: str) -> dict[str, Any]:
    stored = instance.messages.get(key_id)
    if stored is None:
        raise EvolutionError(404, ["Message not found"])
    key = dict(stored.data["key"])
    key.setdefault("participant", "")
    sim.emit(instance, ev.MESSAGES_DELETE, key)
    return key


def _unwrap(content: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    for _ in range(4):
        for wrapper in _WRAPPERS:
            inner = content.get(wrapper)
            if isinstance(inner, dict) and isinstance(inner.get("message"), dict):
                content = inner["message"]
                break
        else:
            break
    for media_type in MEDIA_TYPES:
        if isinstance(content.get(media_type), dict):
            return media_type, content[media_type]
    return None, content


def media_base64(instance: Instance, body: dict[str, Any]) -> dict[str, Any]:
    """``getBase64FromMediaMessage``: by id (from the store) or with the full message."""
    message = body.get("message")
    if not isinstance(message, dict):
        raise bad_request("TypeError: Cannot read properties of undefined (reading 'key')")
    key = message.get("key")
    if not isinstance(key, dict):
        raise bad_request("TypeError: Cannot read properties of undefined (reading 'id')")
    key_id = str(key.get("id"))
    stored = instance.messages.get(key_id)
    content = message.get("message")
    if not isinstance(content, dict):
        if stored is None:
            raise bad_request("Message not found")
        content = stored.data["message"]
    if set(content) == {"messageContextInfo"}:
        raise bad_request("The message is messageContextInfo")
    media_type, media = _unwrap(content)
    if media_type is None:
        raise bad_request("The message is not of the media type")
    if stored is None or stored.media is None:
        raise bad_request(f"Error: Failed to fetch stream from {media.get('url')}")
    mimetype = str(media.get("mimetype") or stored.mimetype or "application/octet-stream")
    ext = mimetype.split("/")[-1].split(";")[0]
    answer: dict[str, Any] = {
        "mediaType": media_type,
        "fileName": media.get("fileName") or f"{key_id}.{ext}",
    }
    if media.get("caption"):
        answer["caption"] = media["caption"]
    size = {k: media[k] for k in ("fileLength", "height", "width") if k in media}
    answer.update(
        {
            "size": size,
            "mimetype": mimetype,
            "base64": base64.b64encode(stored.media).decode("ascii"),
            "buffer": None,
        }
    )
    return answer


def whatsapp_numbers(sim: Simulator, instance: Instance, body: dict[str, Any]) -> list[Any]:
    numbers = body.get("numbers")
    if not isinstance(numbers, list) or instance.state != "open":
        raise RawEvolutionError(400, {})
    groups, users = [], []
    for number in numbers:
        if "@g.us" in number:
            groups.append({"jid": number, "exists": True, "number": number})
            continue
        jid = normalize_recipient(number)
        exists = digits(number) not in sim.state.unregistered_numbers
        users.append({"jid": jid, "exists": exists, "number": number})
    return groups + users


def set_presence(instance: Instance, body: dict[str, Any]) -> dict[str, Any]:
    if instance.state != "open":
        raise bad_request(
            "TypeError: Cannot read properties of undefined (reading 'sendPresenceUpdate')"
        )
    return {"presence": body["presence"]}
