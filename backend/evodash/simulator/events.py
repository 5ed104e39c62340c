"""Webhook event names (CONTRACT §6.3): subscription name, payload name, ``byEvents`` suffix."""

from __future__ import annotations

from evodash.evolution.models import WEBHOOK_EVENTS

#: The 31 names ``webhook/set`` accepts, in the server's enum order (the order matters: it
#: is printed in the validation message and stored for ``events: []``). The wire contract
#: has one list, kept with the client's wire models.
EVENT_NAMES: tuple[str, ...] = WEBHOOK_EVENTS

# Payload names the simulator emits (the real server's ``Events`` enum values).
QRCODE_UPDATED = "qrcode.updated"
CONNECTION_UPDATE = "connection.update"
MESSAGES_UPSERT = "messages.upsert"
MESSAGES_UPDATE = "messages.update"
MESSAGES_DELETE = "messages.delete"
SEND_MESSAGE = "send.message"
CONTACTS_UPSERT = "contacts.upsert"
CONTACTS_UPDATE = "contacts.update"
CHATS_UPSERT = "chats.upsert"
PRESENCE_UPDATE = "presence.update"
REMOVE_INSTANCE = "remove.instance"
LOGOUT_INSTANCE = "logout.instance"
INSTANCE_CREATE = "instance.create"
INSTANCE_DELETE = "instance.delete"
STATUS_INSTANCE = "status.instance"


def internal_name(event: str) -> str:
    """``group-participants.update`` → ``GROUP_PARTICIPANTS_UPDATE``."""
    return event.replace(".", "_").replace("-", "_").upper()


def url_suffix(event: str) -> str:
    """``messages.upsert`` → ``messages-upsert`` (appended to the URL when ``byEvents``)."""
    return internal_name(event).lower().replace("_", "-")
