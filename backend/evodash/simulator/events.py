"""Webhook event names (CONTRACT §6.3): subscription name, payload name, ``byEvents`` suffix."""

from __future__ import annotations

#: The 31 names ``webhook/set`` accepts, in the server's enum order (the order matters: it
#: is printed in the validation message and stored for ``events: []``).
EVENT_NAMES: tuple[str, ...] = (
    "APPLICATION_STARTUP",
    "QRCODE_UPDATED",
    "MESSAGES_SET",
    "MESSAGES_UPSERT",
    "MESSAGES_EDITED",
    "MESSAGES_UPDATE",
    "MESSAGES_DELETE",
    "SEND_MESSAGE",
    "SEND_MESSAGE_UPDATE",
    "CONTACTS_SET",
    "CONTACTS_UPSERT",
    "CONTACTS_UPDATE",
    "PRESENCE_UPDATE",
    "CHATS_SET",
    "CHATS_UPSERT",
    "CHATS_UPDATE",
    "CHATS_DELETE",
    "GROUPS_UPSERT",
    "GROUP_UPDATE",
    "GROUP_PARTICIPANTS_UPDATE",
    "CONNECTION_UPDATE",
    "LABELS_EDIT",
    "LABELS_ASSOCIATION",
    "CALL",
    "TYPEBOT_START",
    "TYPEBOT_CHANGE_STATUS",
    "REMOVE_INSTANCE",
    "LOGOUT_INSTANCE",
    "INSTANCE_CREATE",
    "INSTANCE_DELETE",
    "STATUS_INSTANCE",
)

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
