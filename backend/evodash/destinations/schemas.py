"""API schemas of relay destinations."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from evodash.core.params import Flag
from evodash.core.schemas import Schema
from evodash.evolution.models import WEBHOOK_EVENTS
from evodash.instances.schemas import HttpUrlStr

#: The most destinations one instance forwards to.
MAX_DESTINATIONS = 10
#: Bounds of the retry policy.
MAX_ATTEMPTS = 10
MIN_RETRY_BASE_SECONDS = 1.0
MAX_RETRY_BASE_SECONDS = 300.0
#: Headers evodash sets itself, or that HTTP owns: a secret header cannot replace them.
RESERVED_HEADERS = frozenset(
    {"host", "content-type", "content-length", "user-agent", "connection", "transfer-encoding"}
)
HEADER_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$"
#: Printable ASCII, no line breaks (no header injection).
HEADER_VALUE_PATTERN = r"^[ -~]+$"


def _known_event(value: str) -> str:
    if value not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown event {value!r}: use the names of webhook/set")
    return value


EventName = Annotated[
    str,
    Field(
        max_length=40,
        json_schema_extra={"enum": list(WEBHOOK_EVENTS)},
        examples=["MESSAGES_UPSERT"],
    ),
    AfterValidator(_known_event),
]


def _header_name(value: str) -> str:
    lower = value.lower()
    if lower in RESERVED_HEADERS or lower.startswith("x-evodash-"):
        raise ValueError(f"{value!r} is set by evodash or by HTTP itself; choose another name")
    return value


HeaderName = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=HEADER_NAME_PATTERN, examples=["X-Api-Key"]),
    AfterValidator(_header_name),
]
HeaderValue = Annotated[
    SecretStr,
    Field(
        min_length=1,
        max_length=1000,
        json_schema_extra={"pattern": HEADER_VALUE_PATTERN},
        description="Write-only: stored encrypted, never returned",
    ),
]
DestinationName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(str.strip)]
Events = Annotated[
    list[EventName],
    Field(
        max_length=len(WEBHOOK_EVENTS),
        description="Subscription names (webhook/set) of the events sent here, e.g. "
        "MESSAGES_UPSERT for messages.upsert; empty: every event",
    ),
]
MaxAttempts = Annotated[int, Field(ge=1, le=MAX_ATTEMPTS, description="Attempts per event")]
RetryBase = Annotated[
    float,
    Field(
        ge=MIN_RETRY_BASE_SECONDS,
        le=MAX_RETRY_BASE_SECONDS,
        description="Seconds before the first retry; doubles at each retry (with jitter), "
        "at most 300 s between two attempts",
    ),
]


def _check_value(value: SecretStr | None) -> SecretStr | None:
    if value is not None and not re.fullmatch(HEADER_VALUE_PATTERN, value.get_secret_value()):
        raise ValueError("must be printable ASCII on one line")
    return value


def _unique(events: list[str]) -> list[str]:
    return [name for name in WEBHOOK_EVENTS if name in set(events)]  # server order, once


class DestinationCreate(BaseModel):
    name: DestinationName
    url: HttpUrlStr
    events: Events = Field(default_factory=list)
    secret_header_name: HeaderName | None = None
    secret_header_value: HeaderValue | None = None
    max_attempts: MaxAttempts = 5
    retry_base_seconds: RetryBase = 5.0
    enabled: Flag = True

    _value = field_validator("secret_header_value")(_check_value)
    _events = field_validator("events")(_unique)

    @model_validator(mode="after")
    def _both_or_neither(self) -> DestinationCreate:
        if (self.secret_header_name is None) != (self.secret_header_value is None):
            raise ValueError("give secret_header_name and secret_header_value together")
        return self


class DestinationUpdate(BaseModel):
    """Only the fields sent change. ``secret_header_name: null`` removes the secret
    header; a name where none is stored needs its value; a value alone replaces the
    stored one."""

    name: DestinationName | SkipJsonSchema[None] = None
    url: HttpUrlStr | SkipJsonSchema[None] = None
    events: Events | SkipJsonSchema[None] = None
    secret_header_name: HeaderName | None = None
    secret_header_value: HeaderValue | SkipJsonSchema[None] = None
    max_attempts: MaxAttempts | SkipJsonSchema[None] = None
    retry_base_seconds: RetryBase | SkipJsonSchema[None] = None
    enabled: Flag | SkipJsonSchema[None] = None

    _value = field_validator("secret_header_value")(_check_value)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _unique(value)

    @field_validator(
        "name",
        "url",
        "events",
        "secret_header_value",
        "max_attempts",
        "retry_base_seconds",
        "enabled",
        mode="before",
    )
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


class DestinationRead(Schema):
    id: int
    instance_id: int
    name: str
    url: str
    events: list[str] = Field(description="Empty: every event")
    secret_header_name: str | None = Field(description="The secret header, if any")
    has_secret: bool = Field(description="A secret header value is stored (never shown)")
    max_attempts: int
    retry_base_seconds: float
    enabled: bool
    created_at: datetime
    updated_at: datetime


class DestinationTestResult(BaseModel):
    ok: bool
    http_status: int | None
    latency_ms: int
    error: str | None = Field(description="What went wrong (refused, timeout, HTTP status)")
