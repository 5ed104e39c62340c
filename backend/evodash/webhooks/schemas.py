from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from evodash.core.params import BigId, Id, Timestamp
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


#: The most events one replay request applies again.
MAX_REPLAY = 500


class EventSelection(BaseModel):
    """Which events to replay: every filter given must match (AND). Oldest first, at most
    500 per request (``truncated`` says when more matched: send the request again)."""

    instance_id: Id | None = None
    status: EventStatus | None = None
    event: str | None = Field(default=None, max_length=64, description="e.g. messages.upsert")
    since: Timestamp | None = Field(default=None, description="Received at or after")
    until: Timestamp | None = Field(default=None, description="Received at or before")
    ids: list[BigId] | None = Field(
        default=None, min_length=1, max_length=MAX_REPLAY, description="Only these events"
    )


class ReplayReport(BaseModel):
    matched: int = Field(description="Events replayed by this request")
    truncated: bool = Field(description="More events matched than one request replays")
    outcomes: dict[EventStatus, int] = Field(description="How many ended in each status")
    failed_ids: list[int] = Field(description="The events still failing after the replay")


class WebhookDeliveryRead(Schema):
    id: int
    event_id: int
    instance_id: int
    destination_id: int | None = Field(description="Null: the destination was removed")
    destination_name: str | None = Field(default=None, description="The destination's name")
    url: str = Field(description="Where the attempt went")
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
    "MAX_REPLAY",
    "Envelope",
    "EventSelection",
    "ReplayReport",
    "WebhookDeliveryRead",
    "WebhookEventDetail",
    "WebhookEventRead",
    "WebhookReceipt",
]
