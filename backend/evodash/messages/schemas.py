from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict

from evodash.core.params import JsonInteger
from evodash.core.schemas import Schema
from evodash.messages.models import Direction

MessageType = Literal[
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contact",
    "reaction",
    "other",
    "unknown",
]


class MessageRead(Schema):
    id: int
    instance_id: int
    message_id: str = Field(description="WhatsApp message id (`key.id`)")
    remote_jid: str = Field(description="The chat: phone JID, `@lid`, or group `@g.us`")
    participant: str | None = Field(description="Group messages: who sent it")
    sender_phone: str | None = Field(
        description="E.164 phone of the sender (incoming: the contact; outgoing: the "
        "instance's own number); null when only a privacy `@lid` is known"
    )
    sender_name: str | None
    direction: Direction
    from_me: bool
    is_group: bool
    message_type: str
    text: str | None = Field(description="Text, or the caption/name of media, location…")
    media_mimetype: str | None
    status: str | None = Field(description="PENDING, SERVER_ACK, DELIVERY_ACK, READ, PLAYED…")
    wa_timestamp: datetime
    is_allowed: bool = Field(description="false: the sender is not on the allow-list")
    deleted_at: datetime | None = Field(description="Deleted for everyone by the sender")
    created_at: datetime


class MessageRaw(BaseModel):
    id: int
    raw: dict[str, Any] = Field(
        description="The message object as Evolution sent it (without media base64)"
    )


class MessageFilters(BaseModel):
    instance_id: int | None = None
    direction: Direction | None = None
    message_type: str | None = None
    allowed: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    sender: str | None = None
    q: str | None = None
    #: The caller's scope: only these instances (``None``: every one).
    instance_ids: frozenset[int] | None = None


class InstanceMessageCounts(BaseModel):
    instance_id: int
    total: int
    incoming: int
    outgoing: int
    blocked: int
    last_message_at: datetime | None


class SendText(BaseModel):
    number: str = Field(
        min_length=3,
        max_length=128,
        description="Phone number (E.164 or digits with country code) or a full JID "
        "(`…@s.whatsapp.net`, `…@lid`, `…@g.us`)",
        examples=["+5511987654321"],
    )
    text: str = Field(min_length=1, max_length=4096)
    quoted_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Reply to this WhatsApp message id",
    )
    delay_ms: Annotated[int, Strict(), Field(ge=0, le=10_000), JsonInteger] | None = Field(
        default=None, description="Show 'typing…' this long before sending"
    )


class AllowedNumbers(BaseModel):
    numbers: list[str] = Field(
        max_length=5000,
        description="Phone numbers or JIDs; stored normalized to E.164. An empty list "
        "(with an empty global list) lets everyone through.",
        examples=[["+5511987654321", "5531987654321@s.whatsapp.net"]],
    )


class AllowListRead(BaseModel):
    instance_id: int
    numbers: list[str] = Field(description="This instance's numbers, normalized to E.164")
    global_numbers: list[str] = Field(
        description="ALLOWED_PHONE_NUMBERS from the server settings (read-only here)"
    )
    everyone_allowed: bool = Field(
        description="true when both lists are empty: every sender is allowed"
    )
