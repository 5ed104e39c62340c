from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from evodash.core.schemas import Schema


class HourBucket(BaseModel):
    hour: datetime = Field(description="Start of the hour (UTC)")
    incoming: int
    outgoing: int
    blocked: int


class RecentInstance(Schema):
    id: int
    display_name: str
    name: str
    status: str
    server_id: int
    created_at: datetime


class RecentMessage(Schema):
    id: int
    instance_id: int
    instance_name: str
    direction: str
    message_type: str
    sender_phone: str | None
    sender_name: str | None
    text: str | None
    is_allowed: bool
    wa_timestamp: datetime


class RecentConnectionEvent(Schema):
    id: int
    instance_id: int
    instance_name: str
    state: str
    previous_state: str | None
    reason_code: int | None
    source: str
    at: datetime


class MessageFigures(BaseModel):
    last_24h: int
    incoming_24h: int
    outgoing_24h: int
    blocked_24h: int
    total: int


class StatsOverview(BaseModel):
    generated_at: datetime
    servers: int
    servers_unreachable: int
    instances_total: int
    instances_by_status: dict[str, int] = Field(
        description="created, connecting, open, close, refused, unreachable (all keys present)"
    )
    messages: MessageFigures
    jobs_by_status: dict[str, int] = Field(
        description="pending, running, succeeded, failed, cancelled (all keys present)"
    )
    messages_per_hour: list[HourBucket] = Field(description="The last 24 hours, oldest first")
    recent_instances: list[RecentInstance]
    latest_messages: list[RecentMessage]
    latest_connection_events: list[RecentConnectionEvent]
