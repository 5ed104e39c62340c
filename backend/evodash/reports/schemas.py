from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class ReportQuery:
    """A report's period (whole days in ``tz``, both ends included) and scope."""

    first_day: date
    last_day: date
    tz: str
    start: datetime  # first_day's midnight in tz, as UTC
    end: datetime  # the midnight after last_day in tz, as UTC
    server_id: int | None = None
    instance_id: int | None = None
    #: The caller's scope: only these instances (``None``: every one).
    instance_ids: frozenset[int] | None = None


class Period(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="First day (in `tz`)")
    to: date = Field(description="Last day (in `tz`), included")
    tz: str = Field(description="Time zone of the days")


class MessageDayRow(BaseModel):
    day: date
    instance_id: int
    instance_name: str
    received: int = Field(description="Incoming messages")
    sent: int = Field(description="Outgoing messages")
    blocked: int = Field(description="Incoming messages from senders not on the allow-list")


class MessageTotals(BaseModel):
    received: int
    sent: int
    blocked: int


class MessagesReport(Period):
    rows: list[MessageDayRow] = Field(description="One row per day and instance with messages")
    totals: MessageTotals = Field(description="The whole period's, even when truncated")
    truncated: bool = Field(
        description="More than 50,000 rows: they stop at a whole day (narrow the period "
        "or pick a server or instance)"
    )


class UptimeDayRow(BaseModel):
    day: date
    instance_id: int
    instance_name: str
    open_seconds: int = Field(description="Time connected to WhatsApp (state `open`)")
    observed_seconds: int = Field(description="Time with a known connection state")
    uptime_percent: float | None = Field(description="open / observed; null when unobserved")


class UptimeReport(Period):
    rows: list[UptimeDayRow]
    truncated: bool = Field(description="More than 50,000 rows: they stop at a whole day")


class JobDayRow(BaseModel):
    day: date
    total: int
    succeeded: int
    failed: int
    cancelled: int
    success_rate: float | None = Field(
        description="succeeded / (succeeded + failed), in percent; null when none finished"
    )
    mean_duration_ms: float | None = Field(description="Mean run time of succeeded jobs")


class JobsReport(Period):
    rows: list[JobDayRow]


class HourRow(BaseModel):
    hour: int = Field(ge=0, le=23, description="Hour of the day in `tz`")
    received: int
    sent: int


class HoursReport(Period):
    rows: list[HourRow] = Field(description="24 rows, hour 0 to 23")


class SenderRow(BaseModel):
    sender_phone: str
    messages: int


class SendersReport(Period):
    rows: list[SenderRow] = Field(
        description="Busiest senders first (days in the report's time zone)"
    )


# --- uptime over rolling windows (see evodash.reports.uptime) -----------------------------

UptimeWindowName = Literal["24h", "7d", "30d"]


class UptimeWindow(BaseModel):
    window: UptimeWindowName
    start: datetime
    end: datetime
    uptime_percent: float | None = Field(
        description="Time `open` over the time with a known state; null when unobserved"
    )
    open_seconds: int
    observed_seconds: int = Field(description="Time with a known connection state")
    unknown_seconds: int = Field(
        description="Time with no known state (before the first event, server unreachable)"
    )
    disconnects: int = Field(description="Changes from `open` to a known down state")
    reconnects: int = Field(description="Disconnects of the window followed by `open`")
    mean_reconnect_seconds: float | None = Field(
        description="Mean time from a disconnect to the next `open`; null without reconnects"
    )


class InstanceUptime(BaseModel):
    instance_id: int
    windows: list[UptimeWindow] = Field(description="24h, 7d and 30d, in this order")


class UptimeSegment(BaseModel):
    state: str = Field(description="An instance status, or `unknown`")
    start: datetime
    end: datetime


class InstanceUptimeDetail(InstanceUptime):
    generated_at: datetime
    timeline_window: UptimeWindowName
    timeline_start: datetime
    timeline_end: datetime
    segments: list[UptimeSegment] = Field(
        description="The states of the timeline window, oldest first (from the instance's "
        "creation, to its deletion)"
    )
    segments_truncated: bool = Field(description="Only the newest 1000 segments are listed")


class WorstInstance(BaseModel):
    instance_id: int
    display_name: str
    status: str
    uptime_percent: float
    disconnects: int


class FleetUptime(BaseModel):
    generated_at: datetime
    instances: int = Field(description="Live instances")
    windows: list[UptimeWindow] = Field(
        description="Every instance alive in the window, time-weighted; 24h, 7d, 30d"
    )
    worst_window: UptimeWindowName
    worst: list[WorstInstance] = Field(description="Live instances, lowest uptime first")
