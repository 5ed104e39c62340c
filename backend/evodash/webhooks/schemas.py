from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from evodash.core.schemas import Schema
from evodash.webhooks.models import DeliveryStatus, EventStatus


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


class WebhookReceipt(BaseModel):
    ok: bool = True
    event_id: int = Field(description="The stored inbox event")
    status: EventStatus = Field(description="What applying it did")


class WebhookEventRead(Schema):
    id: int
    instance_id: int | None
    instance_name: str | None
    event: str
    status: EventStatus
    error: str | None = Field(description="Why it failed, was ignored, or is waiting")
    attempts: int = Field(description="How many times it was applied (replays included)")
    received_at: datetime
    processed_at: datetime | None


class WebhookEventDetail(WebhookEventRead):
    body: dict[str, Any] = Field(
        description="The event as received; the instance token (`apikey`) is masked"
    )


class WebhookDeliveryRead(Schema):
    id: int
    event_id: int
    instance_id: int
    url: str
    attempt: int
    status: DeliveryStatus
    http_status: int | None
    latency_ms: int | None
    error: str | None
    next_retry_at: datetime | None = Field(
        description="pending: when it runs; failed: when the next attempt is due (null: "
        "no more automatic attempts)"
    )
    created_at: datetime
