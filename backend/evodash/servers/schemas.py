"""API schemas of Evolution servers. The global API key goes in, never out (last 4 only)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

from pydantic import AfterValidator, BaseModel, Field, SecretStr, field_validator
from pydantic.json_schema import SkipJsonSchema

from evodash.core.params import NOT_BLANK_PATTERN
from evodash.core.schemas import Schema


def normalize_base_url(value: str) -> str:
    """``HTTP://Evo.Example.com:8080/api/`` → ``http://evo.example.com:8080/api``.

    Only http(s), no credentials, query or fragment: the key goes in a header.
    """
    raw = value.strip()
    if not re.fullmatch(BASE_URL_PATTERN, raw):
        raise ValueError("must be an http:// or https:// URL with a host")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ValueError("not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not contain credentials; give the API key separately")
    if parts.query or parts.fragment:
        raise ValueError("must not contain a query or fragment")
    netloc = parts.hostname.lower()
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
#: What the document says of a server URL, and all that ``normalize_base_url`` accepts:
#: http(s), a host name or IPv4 address, an optional port and path; no credentials, query
#: or fragment.
BASE_URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9][A-Za-z0-9.-]*(?::{_PORT})?(?:/[^?#@]*)?$"

BaseUrl = Annotated[
    str,
    Field(max_length=500, pattern=BASE_URL_PATTERN, examples=["http://127.0.0.1:8080"]),
    AfterValidator(normalize_base_url),
]


def _printable_ascii(value: SecretStr) -> SecretStr:
    # It travels in an HTTP header: anything else cannot be sent at all.
    if not re.fullmatch(API_KEY_PATTERN, value.get_secret_value()):
        raise ValueError("must be printable ASCII without spaces")
    return value


API_KEY_PATTERN = r"^[!-~]+$"
ApiKey = Annotated[
    SecretStr,
    Field(
        min_length=1,
        max_length=500,
        description="The server's global key (AUTHENTICATION_API_KEY)",
        json_schema_extra={"pattern": API_KEY_PATTERN},
    ),
    AfterValidator(_printable_ascii),
]


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


ServerName = Annotated[
    str, Field(max_length=100, pattern=NOT_BLANK_PATTERN), AfterValidator(_not_blank)
]


class ServerCreate(BaseModel):
    name: ServerName
    base_url: BaseUrl
    api_key: ApiKey


class ServerUpdate(BaseModel):
    name: ServerName | SkipJsonSchema[None] = None
    base_url: BaseUrl | SkipJsonSchema[None] = None
    api_key: ApiKey | SkipJsonSchema[None] = None

    @field_validator("name", "base_url", "api_key", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


class ServerRead(Schema):
    id: int
    name: str
    base_url: str
    api_key_last4: str = Field(description="The last 4 characters of the global API key")
    version: str | None = Field(description="Evolution API version seen at the last check")
    whatsapp_web_version: str | None
    is_reachable: bool | None = Field(description="Result of the last check; null: never checked")
    last_error: str | None
    last_checked_at: datetime | None
    instance_count: int = Field(default=0, description="Live instances managed on this server")
    created_at: datetime
    updated_at: datetime


class ServerTestRequest(BaseModel):
    """Test a server before saving it."""

    base_url: BaseUrl
    api_key: ApiKey


class ServerTestResult(BaseModel):
    reachable: bool = Field(description="The server answered GET / as Evolution API does")
    version: str | None = Field(description="Evolution API version, e.g. 2.3.6")
    whatsapp_web_version: str | None
    client_name: str | None = Field(description="DATABASE_CONNECTION_CLIENT_NAME of the server")
    api_key_valid: bool = Field(description="The server accepted the API key")
    instance_count: int | None = Field(description="Instances on the server (when the key works)")
    detail: str = Field(description="Readable summary of the test")
    latency_ms: float
