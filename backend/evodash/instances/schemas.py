"""API schemas of instances: create/update/read, actions, sync, import, settings."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from evodash.core.params import BodyId, Flag
from evodash.core.schemas import Schema
from evodash.core.urls import has_credentials
from evodash.evolution.models import WEBHOOK_EVENTS
from evodash.instances.models import ConnectionSource, InstanceStatus
from evodash.messages.allowlist import normalize_number
from evodash.servers.schemas import ApiKey, BaseUrl

#: The technical name: the instance's name on the Evolution server.
TECHNICAL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$"


#: 8 to 15 digits (E.164, country code included), with + ( ) . - or spaces between them.
#: The document states the same pattern, so every number it allows is accepted.
PHONE_PATTERN = r"^(?:[ +().-]*[0-9]){8,15}[ +().-]*$"


def normalize_phone(value: str) -> str:
    """``+55 (11) 98765-4321`` → ``5511987654321`` (E.164 digits, as Evolution wants), by
    the allow-list's normaliser (Brazilian mobiles get their ninth digit) when it can read
    the number."""
    if not re.fullmatch(PHONE_PATTERN, value):
        raise ValueError(
            "must be a phone number: 8 to 15 digits with the country code (E.164), "
            "optionally with +, parentheses, dots, dashes or spaces"
        )
    number = normalize_number(value)
    return number[1:] if number else re.sub(r"[^0-9]", "", value)


#: What the document says of a URL, and all that ``check_http_url`` accepts: http(s), an
#: ASCII host (and port), then printable ASCII (percent-encode the rest). Both regular
#: expression engines (Python's, the document's ECMA one) read it the same way.
HTTP_URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9][A-Za-z0-9.:_-]*(?:[/?#][!-~]*)?$"


def check_http_url(value: str) -> str:
    if not re.fullmatch(HTTP_URL_PATTERN, value):
        raise ValueError("must be an http:// or https:// URL")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValueError("must be an http:// or https:// URL") from exc
    if not parts.hostname:
        raise ValueError("must be an http:// or https:// URL")
    if has_credentials(value):
        raise ValueError("must not contain a user name or password (user:password@)")
    return value


Phone = Annotated[
    str,
    Field(max_length=32, pattern=PHONE_PATTERN, examples=["5511987654321"]),
    AfterValidator(normalize_phone),
]
HttpUrlStr = Annotated[
    str,
    Field(max_length=1000, pattern=HTTP_URL_PATTERN),
    AfterValidator(check_http_url),
]
DisplayName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(str.strip)]
TechnicalName = Annotated[
    str,
    Field(
        pattern=TECHNICAL_NAME_PATTERN,
        description="The instance's name on Evolution: 3 to 64 letters, digits, _ or -, "
        "starting with a letter or digit; unique per server",
        examples=["acme-support"],
    ),
]


def _no_forward_url(data: Any) -> Any:
    if isinstance(data, dict) and "forward_url" in data:
        raise ValueError(
            "forward_url was replaced by relay destinations: use "
            "/api/instances/{id}/destinations (several URLs, each with its event filter)"
        )
    return data


class InstanceCreate(BaseModel):
    # Exactly one way to name the server, as the validator below checks.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["server_id"],
                    "properties": {
                        "server_id": {"type": "integer"},
                        "evolution_url": {"type": "null"},
                        "api_key": {"type": "null"},
                    },
                },
                {
                    "required": ["evolution_url", "api_key"],
                    "properties": {
                        "server_id": {"type": "null"},
                        "evolution_url": {"type": "string"},
                        "api_key": {"type": "string"},
                    },
                },
            ]
        }
    )

    display_name: DisplayName
    name: TechnicalName
    server_id: BodyId | None = Field(default=None, description="A registered server")
    evolution_url: BaseUrl | None = Field(
        default=None,
        description="Instead of server_id: the server's URL (a registered server with this "
        "URL is reused; registering a new one needs the admin role)",
    )
    api_key: ApiKey | None = Field(default=None, description="With evolution_url: its global key")
    phone_number: Phone | None = Field(
        default=None, description="The WhatsApp number, to connect with a pairing code"
    )
    webhook_events: WebhookEvents | None = Field(
        default=None,
        description="Events Evolution posts to evodash (webhook/set names). The events "
        "evodash needs are always added; default: those alone",
    )

    _forward = model_validator(mode="before")(_no_forward_url)

    @model_validator(mode="after")
    def _one_server(self) -> InstanceCreate:
        by_url = self.evolution_url is not None or self.api_key is not None
        if self.server_id is not None and by_url:
            raise ValueError("give either server_id, or evolution_url with api_key, not both")
        if self.server_id is None and (self.evolution_url is None or self.api_key is None):
            raise ValueError("give server_id, or evolution_url with api_key")
        return self


class InstanceUpdate(BaseModel):
    """All optional; only the fields sent are changed. (The allow-list has its own
    endpoint, ``/api/instances/{id}/allowed-numbers``.)"""

    # Null clears the phone number; the other fields cannot be null.
    display_name: DisplayName | SkipJsonSchema[None] = None
    phone_number: Phone | None = None
    reply_with_summary: Flag | SkipJsonSchema[None] = Field(
        default=None, description="Answer invoice images on WhatsApp with what was read"
    )
    message_retention_days: Annotated[int, Field(ge=1, le=36500)] | None = Field(
        default=None,
        description="Days this instance's messages are kept; null: RETENTION_MESSAGES_DAYS",
    )

    _forward = model_validator(mode="before")(_no_forward_url)

    @field_validator("display_name", "reply_with_summary", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


def _subscribable(value: str) -> str:
    if value not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown event {value!r}: use the names of webhook/set")
    return value


WebhookEventName = Annotated[
    str,
    Field(max_length=40, json_schema_extra={"enum": list(WEBHOOK_EVENTS)}),
    AfterValidator(_subscribable),
]
WebhookEvents = Annotated[list[WebhookEventName], Field(max_length=len(WEBHOOK_EVENTS))]


class InstanceRead(Schema):
    id: int
    server_id: int
    display_name: str
    name: str = Field(description="The technical name (the name on Evolution)")
    evolution_id: str | None
    status: InstanceStatus
    phone_number: str | None
    owner_jid: str | None = Field(description="The connected WhatsApp account")
    profile_name: str | None
    profile_picture_url: str | None
    disconnection_reason: int | None
    token_last4: str | None = Field(description="Last 4 characters of the instance token")
    webhook_events: list[str]
    webhook_drift: dict[str, Any] | None = Field(
        description="How the webhook on Evolution differs from ours (null: it matches, or "
        "never checked; see webhook_checked_at)"
    )
    webhook_checked_at: datetime | None
    allowed_numbers: list[str]
    reply_with_summary: bool
    message_retention_days: int | None = Field(
        default=None, description="Days its messages are kept; null: RETENTION_MESSAGES_DAYS"
    )
    pairing_code: str | None
    last_qr_at: datetime | None
    last_status_sync_at: datetime | None
    last_error: str | None
    connected_at: datetime | None
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ConnectionEventRead(Schema):
    id: int
    state: str
    previous_state: str | None
    reason_code: int | None
    source: ConnectionSource
    detail: str | None
    at: datetime


# --- actions ---------------------------------------------------------------------------------


class ConnectRequest(BaseModel):
    phone_number: Phone | None = Field(
        default=None, description="Pair this number (default: the instance's phone number)"
    )
    method: Literal["auto", "qr_code", "pairing_code"] = Field(
        default="auto",
        description="auto: a pairing code when a phone number is known, else a QR code",
    )


class ConnectOutcome(StrEnum):
    qr_code = "qr_code"
    pairing_code = "pairing_code"
    already_open = "already_open"
    no_qr_yet = "no_qr_yet"


class ConnectRead(BaseModel):
    outcome: ConnectOutcome
    qr_code: str | None = Field(
        default=None, description="The QR code as a PNG data URL, ready for <img src>"
    )
    pairing_code: str | None = Field(
        default=None, description="Type this 8-character code on the phone"
    )
    count: int | None = Field(default=None, description="QR codes generated so far")
    retry_after_seconds: int | None = Field(
        default=None, description="With no_qr_yet: ask again after this long"
    )
    message: str
    instance: InstanceRead


class ActionRead(BaseModel):
    message: str
    instance: InstanceRead


# --- sync ------------------------------------------------------------------------------------


class SyncRequest(BaseModel):
    instance_ids: list[BodyId] | None = Field(
        default=None, max_length=5000, description="Which instances; null: all"
    )
    check_webhook: Flag | None = Field(
        default=None,
        description="Look for webhook drift: true always, false never, null when due "
        "(not checked in the last 15 minutes)",
    )


class SyncItemRead(BaseModel):
    instance_id: int
    name: str
    ok: bool
    status: InstanceStatus
    previous_status: InstanceStatus
    changed: bool
    webhook_drift: dict[str, Any] | None = None
    error: str | None = Field(default=None, description="Error code, e.g. evolution_timeout")
    detail: str | None = None


class SyncReportRead(BaseModel):
    items: list[SyncItemRead]
    total: int
    succeeded: int
    failed: int
    duration_ms: float


# --- import ----------------------------------------------------------------------------------


class ImportableRead(BaseModel):
    name: str
    evolution_id: str
    connection_status: str | None
    owner_jid: str | None
    profile_name: str | None
    number: str | None
    importable: bool
    reason: str | None = Field(default=None, description="Why it cannot be imported")


class ImportItem(BaseModel):
    name: str = Field(min_length=1, max_length=64, description="Its name on Evolution")
    display_name: DisplayName | None = None

    _forward = model_validator(mode="before")(_no_forward_url)


class ImportRequest(BaseModel):
    server_id: BodyId
    instances: list[ImportItem] = Field(min_length=1, max_length=200)


class ImportResultItem(BaseModel):
    name: str
    ok: bool
    instance: InstanceRead | None = None
    error: str | None = None
    detail: str | None = None


class ImportResultRead(BaseModel):
    items: list[ImportResultItem]
    imported: int
    failed: int


# --- Evolution settings ----------------------------------------------------------------------


class InstanceSettingsRead(BaseModel):
    """Behaviour of the instance on Evolution."""

    reject_call: bool = Field(default=False, description="Reject incoming calls")
    msg_call: str = Field(default="", max_length=100, description="Reply sent to rejected calls")
    groups_ignore: bool = Field(default=False, description="Ignore group messages")
    always_online: bool = Field(default=False, description="Always show as online (restart)")
    read_messages: bool = Field(default=False, description="Mark incoming messages as read")
    read_status: bool = Field(default=False, description="Receive and read status updates")
    sync_full_history: bool = Field(
        default=False, description="Sync the full history on pairing (restart)"
    )


class InstanceSettingsWrite(InstanceSettingsRead):
    reject_call: Flag = Field(default=False, description="Reject incoming calls")
    groups_ignore: Flag = Field(default=False, description="Ignore group messages")
    always_online: Flag = Field(default=False, description="Always show as online (restart)")
    read_messages: Flag = Field(default=False, description="Mark incoming messages as read")
    read_status: Flag = Field(default=False, description="Receive and read status updates")
    sync_full_history: Flag = Field(
        default=False, description="Sync the full history on pairing (restart)"
    )


# --- event selection -------------------------------------------------------------------------


class WebhookEventInfo(BaseModel):
    name: str = Field(description="Subscription name (webhook/set), e.g. MESSAGES_UPSERT")
    payload_name: str = Field(description="Approximately the `event` of its posts")
    required: bool = Field(description="evodash needs it: always subscribed")


class WebhookEventSelection(BaseModel):
    events: WebhookEvents = Field(
        description="Events to subscribe besides the required ones (which are always added)"
    )


class BulkWebhookEventSelection(WebhookEventSelection):
    instance_ids: list[BodyId] = Field(min_length=1, max_length=200)


class EventSelectionItem(BaseModel):
    instance_id: int
    name: str | None
    ok: bool
    events: list[str] | None = Field(default=None, description="Subscribed now")
    error: str | None = Field(default=None, description="Error code, e.g. evolution_timeout")
    detail: str | None = None


class EventSelectionReport(BaseModel):
    items: list[EventSelectionItem]
    succeeded: int
    failed: int
