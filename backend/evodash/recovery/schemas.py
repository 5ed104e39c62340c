from __future__ import annotations

from datetime import datetime

from pydantic import Field

from evodash.core.params import Timestamp
from evodash.core.schemas import Schema
from evodash.recovery.models import RecoveryStatus, RecoveryTrigger


class RecoverRequest(Schema):
    since: Timestamp | None = Field(
        default=None,
        description="Fetch the messages Evolution stored from this WhatsApp time on. "
        "Default: the newest message stored here for the instance, minus the safety "
        "margin (`RECOVERY_OVERLAP_SECONDS`). At most `RECOVERY_MAX_LOOKBACK_DAYS` back.",
    )


class RecoveryRunRead(Schema):
    """One recovery pass: the window asked for, what Evolution returned, what was new."""

    id: int
    instance_id: int
    trigger: RecoveryTrigger
    status: RecoveryStatus
    since: datetime
    until: datetime
    found: int = Field(description="Distinct messages Evolution returned in the window")
    new: int = Field(description="Of those, the ones evodash had not stored yet")
    total: int | None = Field(description="Evolution's count of matches at the first page")
    pages_done: int
    pages_total: int | None
    error: str | None
    requested_by: int | None
    started_at: datetime
    finished_at: datetime | None
