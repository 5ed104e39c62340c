"""Wire models of Evolution API v2, with clean snake_case fields for callers.

Every model ignores keys it does not know and reads the server's camelCase through
aliases, so ``InstanceSettings(reject_call=True)`` and ``{"rejectCall": true}`` are the
same thing. Keys the contract marks as conditional or omitted are optional here, keys it
marks as ``null`` are nullable, and 64-bit integers accept every encoding 2.x servers
have used (:data:`Int64`, CONTRACT §11.6). Tokens and base64 payloads are left out of
``repr`` so they never end up in a log line by accident.

Private ``_...Answer`` models describe envelopes that the client unwraps; callers only
see the public result models.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, RootModel, field_validator
from pydantic.alias_generators import to_camel

from evodash.evolution.numbers import decode_int64

#: The 31 event names ``webhook/set`` accepts (CONTRACT §6.3), in the server's order.
WEBHOOK_EVENTS: tuple[str, ...] = (
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

#: The subscription CONTRACT §6.3 recommends for the dashboard (plus the disconnect reason).
RECOMMENDED_WEBHOOK_EVENTS: tuple[str, ...] = (
    "QRCODE_UPDATED",
    "CONNECTION_UPDATE",
    "MESSAGES_UPSERT",
    "MESSAGES_UPDATE",
    "MESSAGES_DELETE",
    "SEND_MESSAGE",
    "LOGOUT_INSTANCE",
    "REMOVE_INSTANCE",
    "STATUS_INSTANCE",
)

#: Live connection states (``connectionState``); ``refused`` only exists in webhooks.
ConnectionStatus = Literal["open", "connecting", "close"]


#: A tolerant 64-bit integer field (CONTRACT §11.6).
Int64 = Annotated[int | None, BeforeValidator(decode_int64)]


class EvolutionModel(BaseModel):
    """Base of every wire model: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(
        extra="ignore", populate_by_name=True, alias_generator=to_camel, frozen=True
    )


def _none_as_empty_list(value: object) -> object:
    return [] if value is None else value


# --- Server -----------------------------------------------------------------------------


class ServerInfo(EvolutionModel):
    """``GET /``: who is answering. Does not prove the API key is valid."""

    version: str
    message: str | None = None
    client_name: str | None = None
    manager: str | None = None
    documentation: str | None = None
    whatsapp_web_version: str | None = None


# --- Settings ---------------------------------------------------------------------------


class InstanceSettings(EvolutionModel):
    """Behaviour switches of an instance (``settings/set``, ``settings/find``, create).

    ``msg_call`` is the auto-reply to rejected calls (the server's column holds 100
    characters). ``always_online`` and ``sync_full_history`` only take effect when the
    socket is created again (restart).
    """

    reject_call: bool = False
    msg_call: str | None = Field(default=None, max_length=100)
    groups_ignore: bool = False
    always_online: bool = False
    read_messages: bool = False
    read_status: bool = False
    sync_full_history: bool = False
    wavoip_token: str | None = Field(default=None, repr=False)


class StoredSettings(InstanceSettings):
    """A ``settings/find`` answer. A real one names every switch; an object that does not
    (``{}``, another resource's answer) is not settings, and must not read as defaults."""

    reject_call: bool
    groups_ignore: bool
    always_online: bool
    read_messages: bool
    read_status: bool
    sync_full_history: bool


class _SettingsSetInner(EvolutionModel):
    instance_name: str | None = None
    settings: InstanceSettings


class _SettingsSetAnswer(EvolutionModel):
    settings: _SettingsSetInner


# --- Webhook ----------------------------------------------------------------------------


class WebhookConfig(EvolutionModel):
    """A webhook to configure, on create or with ``webhook/set``.

    ``events=[]`` subscribes to *all* events (noisy; CONTRACT §6.3 advises against it).
    ``enabled`` is only sent by ``webhook/set``; create always enables the webhook.
    """

    url: str
    events: list[str]
    enabled: bool = True
    by_events: bool = False
    base64: bool = False
    headers: dict[str, str] | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        # Evolution stores anything but only ever delivers to ^https?:// (lower case).
        if not value.startswith(("http://", "https://")):
            raise ValueError("the webhook URL must start with http:// or https://")
        return value

    @field_validator("events")
    @classmethod
    def _known_events(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in WEBHOOK_EVENTS]
        if unknown:
            raise ValueError(f"unknown webhook events: {', '.join(unknown)}")
        return value


class WebhookInfo(EvolutionModel):
    """The webhook row stored on the server (``webhook/set`` answer, ``webhook/find``)."""

    id: str | None = None
    url: str
    enabled: bool
    events: Annotated[list[str], BeforeValidator(_none_as_empty_list)] = Field(default_factory=list)
    by_events: bool = Field(default=False, alias="webhookByEvents")
    base64: bool = Field(default=False, alias="webhookBase64")
    headers: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    instance_id: str | None = None


class CreatedWebhook(EvolutionModel):
    """The webhook echo in the create answer; each key only when it was sent."""

    url: str | None = Field(default=None, alias="webhookUrl")
    headers: dict[str, Any] | None = Field(default=None, alias="webhookHeaders")
    by_events: bool | None = Field(default=None, alias="webhookByEvents")
    base64: bool | None = Field(default=None, alias="webhookBase64")


# --- Connection -------------------------------------------------------------------------


class ConnectionState(EvolutionModel):
    """``connectionState``: the live, in-memory state (``None``: instance not loaded)."""

    instance_name: str
    state: ConnectionStatus | None = None


class _ConnectionStateAnswer(EvolutionModel):
    instance: ConnectionState


class ConnectOutcome(StrEnum):
    QR_CODE = "qr_code"
    """A QR code to scan: ``code`` (raw payload) and/or ``base64`` (PNG data URL)."""
    PAIRING_CODE = "pairing_code"
    """An 8-character code to type on the phone; a QR is usually there too."""
    ALREADY_OPEN = "already_open"
    """The instance is connected; nothing to scan."""
    NO_QR_YET = "no_qr_yet"
    """No QR within the server's wait (``{"count": 0}``): poll ``connect`` again."""


class ConnectResult(EvolutionModel):
    """What ``connect`` (and ``restart``, and create with ``qrcode``) gave back.

    A QR can be stale (CONTRACT §4.3): trust it only while the state is ``connecting``
    and prefer the latest ``QRCODE_UPDATED`` webhook.
    """

    outcome: ConnectOutcome
    code: str | None = None
    base64: str | None = Field(default=None, repr=False)
    pairing_code: str | None = None
    count: int | None = None


class _QrAnswer(EvolutionModel):
    count: int
    code: str | None = None
    base64: str | None = None
    pairing_code: str | None = None

    def to_result(self) -> ConnectResult:
        if self.pairing_code:
            outcome = ConnectOutcome.PAIRING_CODE
        elif self.code or self.base64:
            outcome = ConnectOutcome.QR_CODE
        else:
            outcome = ConnectOutcome.NO_QR_YET
        return ConnectResult(
            outcome=outcome,
            code=self.code or None,
            base64=self.base64 or None,
            pairing_code=self.pairing_code or None,
            count=self.count,
        )


# --- Instances --------------------------------------------------------------------------


class InstanceCounts(EvolutionModel):
    messages: int = Field(default=0, alias="Message")
    contacts: int = Field(default=0, alias="Contact")
    chats: int = Field(default=0, alias="Chat")


class InstanceInfo(EvolutionModel):
    """One row of ``fetchInstances``.

    ``connection_status`` is the DB copy and can be stale; use ``connection_state`` for
    the live state. ``owner_jid``/``profile_name`` survive a logout.
    """

    id: str
    name: str
    connection_status: str | None = None
    owner_jid: str | None = None
    profile_name: str | None = None
    profile_pic_url: str | None = None
    integration: str | None = None
    number: str | None = None
    business_id: str | None = None
    token: str | None = Field(default=None, repr=False)
    client_name: str | None = None
    disconnection_reason_code: int | None = None
    disconnection_object: str | None = None
    disconnection_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    settings: InstanceSettings | None = Field(default=None, alias="Setting")
    counts: InstanceCounts | None = Field(default=None, alias="_count")

    @field_validator("disconnection_object", mode="before")
    @classmethod
    def _keep_as_json_text(cls, value: object) -> object:
        # 2.3.6 stores it double-encoded (a JSON string); keep any other form as text too.
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)


class _InstanceList(RootModel[list[InstanceInfo]]):
    model_config = ConfigDict(frozen=True)


class _CreatedInstanceInner(EvolutionModel):
    instance_name: str
    instance_id: str
    integration: str | None = None
    status: str | None = None


class _CreateAnswer(EvolutionModel):
    instance: _CreatedInstanceInner
    hash: str = Field(repr=False)
    webhook: CreatedWebhook | None = None
    settings: InstanceSettings | None = None
    qrcode: _QrAnswer | None = None


class CreatedInstance(EvolutionModel):
    """The create answer. ``token`` is the instance token (the wire's ``hash``).

    ``status`` is a snapshot taken while the call ran; read ``connection_state`` instead.
    ``qrcode`` is only there when the create asked for one.
    """

    instance_name: str
    instance_id: str
    integration: str | None = None
    status: str | None = None
    token: str = Field(repr=False)
    webhook: CreatedWebhook | None = None
    settings: InstanceSettings | None = None
    qrcode: ConnectResult | None = None


class ActionResult(EvolutionModel):
    """Answer of logout and delete: ``status`` ``"SUCCESS"`` and a message."""

    status: str | None = None
    message: str = ""


class _ActionResponse(EvolutionModel):
    message: Any = None


class _ActionAnswer(EvolutionModel):
    status: str | None = None
    response: _ActionResponse | None = None


# --- Messages and media -----------------------------------------------------------------


class MessageKey(EvolutionModel):
    id: str
    remote_jid: str
    from_me: bool = False
    participant: str | None = None
    remote_jid_alt: str | None = None
    addressing_mode: str | None = None


class SentMessage(EvolutionModel):
    """The message object ``sendText`` answers (the same as the ``SEND_MESSAGE`` data).

    ``key.remote_jid`` is the JID really used, which can differ from the number sent
    (Brazilian 9th digit). ``message`` and ``context_info`` are kept as opaque JSON.
    """

    key: MessageKey
    push_name: str | None = None
    status: str | None = None
    message_type: str | None = None
    message_timestamp: Int64 = None
    instance_id: str | None = None
    source: str | None = None
    message: dict[str, Any] | None = None
    context_info: dict[str, Any] | None = None

    @property
    def message_id(self) -> str:
        return self.key.id

    def as_own_message(self) -> dict[str, Any]:
        """The message object as a webhook would carry it, marked as sent by us."""
        data: dict[str, Any] = self.model_dump(by_alias=True, exclude_none=True)
        data["key"]["fromMe"] = True
        return data


class NumberCheck(EvolutionModel):
    """One entry of ``POST /chat/whatsappNumbers``: is ``number`` (as sent) on WhatsApp."""

    jid: str
    exists: bool
    number: str
    name: str | None = None


class _NumberChecks(RootModel[list[NumberCheck]]):
    pass


class MediaSize(EvolutionModel):
    file_length: Int64 = None
    height: int | None = None
    width: int | None = None


class MediaBase64(EvolutionModel):
    """``getBase64FromMediaMessage``: the decrypted file as raw base64 (no ``data:``).

    ``media_type`` is the content key (``imageMessage``, ``audioMessage``, …).
    """

    media_type: str
    mimetype: str
    base64: str = Field(repr=False)
    file_name: str | None = None
    caption: str | None = None
    size: MediaSize | None = None


# --- Stored messages (findMessages) -----------------------------------------------------


class FoundMessages(EvolutionModel):
    """One page of ``POST /chat/findMessages``: stored messages, newest first.

    ``total`` counts every match (from a separate query: it can disagree with the
    pages), ``pages`` is ``ceil(total / page size)``. ``records`` are the stored message
    objects exactly as sent (``messageTimestamp`` in seconds, receipts in
    ``MessageUpdate``, no ``status``): read them with
    :func:`evodash.evolution.messages.found_message_object`.
    """

    total: int = Field(ge=0)
    pages: int = Field(ge=0)
    current_page: int | str | None = None
    records: list[dict[str, Any]] = Field(default_factory=list, repr=False)


class _FindMessagesAnswer(EvolutionModel):
    messages: FoundMessages
