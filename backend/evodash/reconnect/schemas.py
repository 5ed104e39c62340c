from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, StrictBool

from evodash.instances.schemas import Phone

MAX_HOURS = 7 * 24
PIN_PATTERN = r"^[0-9]{4,8}$"
CLAIM_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class ReconnectLinkCreate(BaseModel):
    expires_in_hours: int = Field(
        default=24, ge=1, le=MAX_HOURS, description="How long the link works (1 h to 7 days)"
    )
    pin: str | None = Field(
        default=None,
        pattern=PIN_PATTERN,
        description="4 to 8 digits the customer must type (sent to them another way)",
    )
    # Strict: a JSON 0 or "false" string is a 422, not a silent False.
    single_use: StrictBool = Field(
        default=False,
        description="One use: the first browser that starts pairing claims the link and "
        "nobody else can open it. Otherwise anyone holding it may pair until the instance "
        "connects through it.",
    )


class ReconnectLinkRead(BaseModel):
    id: int
    instance_id: int
    created_at: datetime
    expires_at: datetime
    pin_protected: bool
    single_use: bool
    opened_at: datetime | None
    used_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None
    active: bool = Field(description="It still works")


class ReconnectLinkCreated(ReconnectLinkRead):
    url: str = Field(description="The link to send: shown once, never stored in clear")


class PublicAccess(BaseModel):
    pin: str | None = Field(default=None, pattern=PIN_PATTERN)
    claim: str | None = Field(
        default=None,
        pattern=CLAIM_PATTERN,
        description="What `/connect` answered as `claim` for a single-use link",
    )


class PublicConnect(PublicAccess):
    phone_number: Phone | None = Field(
        default=None, description="Pair with a code typed on this phone instead of a QR code"
    )


class PublicState(BaseModel):
    """All the page may show: never a token, a key, an id or another instance."""

    display_name: str
    pin_required: bool = Field(description="Send the PIN to see and do more")
    connected: bool
    qr_code: str | None = None
    pairing_code: str | None = None
    expires_at: datetime | None = None
    started: bool = Field(
        default=False, description="Pairing was started through the link (`/connect`)"
    )
    claim: str | None = Field(
        default=None,
        description="Only in the answer of `/connect` that claimed a single-use link: send "
        "it with every later request (the link works for this browser only)",
    )
