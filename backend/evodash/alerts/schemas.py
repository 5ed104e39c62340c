"""API schemas of alerts, rules and notification channels."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr, Strict, field_validator
from pydantic.json_schema import SkipJsonSchema

from evodash.alerts.models import (
    AlertState,
    ChannelKind,
    NoticeKind,
    RuleKind,
    SubjectType,
    scope_subject,
)
from evodash.alerts.rules import BOUNDS
from evodash.core.params import NOT_BLANK_PATTERN, BodyId, Flag, JsonInteger
from evodash.core.schemas import Schema
from evodash.instances.schemas import HttpUrlStr, Phone
from evodash.teams.scope import Subject

# --- alerts -------------------------------------------------------------------------------


class AlertRead(Schema):
    """One alert: a rule firing for a subject (an instance, a server, the image jobs), from
    when it started until it resolved."""

    id: int
    rule: RuleKind
    subject_type: SubjectType
    subject_id: int | None
    instance_id: int | None = Field(
        description="The instance when the subject is one (team members see those of "
        "their instances)"
    )
    subject_key: str = Field(
        description="`instance:12`, `server:3`, `jobs:invoice` or `backups:scheduled`"
    )
    subject_label: str
    state: AlertState
    detail: str | None = Field(description="What was found, in English")
    facts: dict[str, str | int] | None = Field(
        description="The figures behind `detail`, per rule: down `status`; zombie "
        "`silent_since`, `error`; flapping `transitions`, `window_minutes`; "
        "server_unreachable `error`; forward_failing `failures`; jobs_failing `failed`, "
        "`total`, `rate_percent`, `window_minutes`; backup_failed `error`, `attempted_at`; "
        "`rule_off` when it resolved because its "
        "rule was turned off"
    )
    started_at: datetime = Field(description="When the condition started")
    fired_at: datetime | None = Field(description="When it became an alert (null: pending)")
    last_checked_at: datetime
    last_notified_at: datetime | None
    notifications: int
    resolved_at: datetime | None
    acked_at: datetime | None
    acked_by: int | None
    silenced_until: datetime | None

    @property
    def scope_subject(self) -> Subject:
        """Who may see the alert (:meth:`evodash.teams.scope.Scope.sees`)."""
        return scope_subject(self.subject_type.value, self.subject_id)


class DeliveryRead(Schema):
    """What one channel did with one notice."""

    channel_id: int | None
    channel: str
    notice: NoticeKind
    ok: bool
    error: str | None
    ms: int
    at: datetime


class AlertDetail(AlertRead):
    deliveries: list[DeliveryRead] = Field(description="Newest first (at most 50)")


class AlertSummary(BaseModel):
    firing: int = Field(description="Alerts firing now")
    unacknowledged: int = Field(description="Of those, the ones nobody acknowledged (the bell)")
    by_rule: dict[str, int] = Field(description="Firing alerts per rule")


class SilenceRequest(BaseModel):
    minutes: Annotated[int, Strict(), Field(ge=1, le=7 * 24 * 60), JsonInteger] = Field(
        description="No notification for this alert (and the next one of the same rule and "
        "subject) during this many minutes"
    )


# --- rules --------------------------------------------------------------------------------


# JSON integers (``5`` or ``5.0``, never ``"5"``) within each parameter's bounds.
def _bounds(name: str) -> Any:
    low, high = BOUNDS[name]
    return Field(ge=low, le=high)


Seconds = Annotated[int, Strict(), _bounds("threshold_seconds"), JsonInteger]
Transitions = Annotated[int, Strict(), _bounds("transitions"), JsonInteger]
WindowMinutes = Annotated[int, Strict(), _bounds("window_minutes"), JsonInteger]
Failures = Annotated[int, Strict(), _bounds("failures"), JsonInteger]
RatePercent = Annotated[int, Strict(), _bounds("rate_percent"), JsonInteger]
MinJobs = Annotated[int, Strict(), _bounds("min_jobs"), JsonInteger]


class RuleParams(BaseModel):
    """The parameters a rule takes (each kind takes some of them)."""

    model_config = ConfigDict(extra="forbid")

    threshold_seconds: Seconds | SkipJsonSchema[None] = Field(
        default=None,
        description="down, connecting, server_unreachable: how long the condition lasts before it "
        "fires; zombie: the silence (no event) before the probe",
    )
    transitions: Transitions | SkipJsonSchema[None] = Field(
        default=None, description="flapping: this many connection transitions…"
    )
    window_minutes: WindowMinutes | SkipJsonSchema[None] = Field(
        default=None, description="flapping: …within this many minutes; jobs_failing: the window"
    )
    failures: Failures | SkipJsonSchema[None] = Field(
        default=None, description="forward_failing: this many failed forward attempts in a row"
    )
    rate_percent: RatePercent | SkipJsonSchema[None] = Field(
        default=None, description="jobs_failing: at least this share of finished image jobs failed…"
    )
    min_jobs: MinJobs | SkipJsonSchema[None] = Field(
        default=None, description="jobs_failing: …out of at least this many"
    )


class RuleRead(BaseModel):
    kind: RuleKind
    enabled: bool
    params: dict[str, int] = Field(description="The rule's parameters as they apply now")
    defaults: dict[str, int] = Field(description="The parameters from the settings")
    customized: bool = Field(description="An admin changed this rule")
    firing: int


class RuleUpdate(RuleParams):
    enabled: Flag | SkipJsonSchema[None] = None


# --- channels -----------------------------------------------------------------------------

ChannelName = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK_PATTERN)]


class WebhookChannelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal[ChannelKind.webhook]
    url: HttpUrlStr = Field(description="Receives a POST per notice (checked like forward URLs)")
    format: Literal["json", "slack", "discord"] = Field(
        default="json",
        description="json: the documented evodash body; slack: `{text}` (incoming webhook); "
        "discord: `{content}`",
    )


class WhatsAppChannelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal[ChannelKind.whatsapp]
    instance_id: BodyId = Field(
        description="The connected instance that sends the message (never the one an alert "
        "is about)"
    )
    numbers: list[Phone] = Field(min_length=1, max_length=20)


class EmailChannelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal[ChannelKind.email]
    host: str = Field(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9.:\[\]-]+$")
    port: Annotated[int, Strict(), Field(ge=1, le=65535), JsonInteger] = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = Field(default=None, max_length=255)
    sender: EmailStr = Field(description="The From address")
    to: list[EmailStr] = Field(min_length=1, max_length=20)
    password: SecretStr | None = Field(
        default=None,
        max_length=500,
        description="The SMTP password, stored encrypted and never returned. On a change, "
        "leave it out to keep the stored one; null removes it",
    )


ChannelConfig = Annotated[
    WebhookChannelConfig | WhatsAppChannelConfig | EmailChannelConfig,
    Field(discriminator="kind"),
]


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ChannelName
    enabled: Flag = True
    config: ChannelConfig


class ChannelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ChannelName | SkipJsonSchema[None] = None
    enabled: Flag | SkipJsonSchema[None] = None
    config: ChannelConfig | SkipJsonSchema[None] = Field(
        default=None, description="The whole configuration (its kind cannot change)"
    )

    @field_validator("name", "enabled", "config", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


class ChannelRead(Schema):
    id: int
    name: str
    kind: ChannelKind
    enabled: bool
    config: dict[str, object]
    password_set: bool = Field(description="E-mail: an SMTP password is stored")
    created_at: datetime
    updated_at: datetime


class ChannelResult(BaseModel):
    """What a channel did with a notice (a test alert, or a real one)."""

    channel: str
    ok: bool
    error: str | None = None
    ms: int
