from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from evodash.core.schemas import Schema
from evodash.evolution.webhooks import Envelope
from evodash.webhooks.models import DeliveryStatus, EventStatus


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


__all__ = [
    "Envelope",
    "WebhookDeliveryRead",
    "WebhookEventDetail",
    "WebhookEventRead",
    "WebhookReceipt",
]
