"""API schemas of image processing jobs (the ORM table is never returned as is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field

from evodash.core.schemas import Schema
from evodash.jobs.models import JobStatus


class JobRead(Schema):
    id: int
    kind: str
    status: JobStatus
    message_id: int | None
    instance_id: int | None
    attempts: int
    max_attempts: int
    run_after: datetime
    progress: int = Field(description="0-100")
    progress_message: str | None = Field(description="The step the job is at, or was at")
    error: str | None = Field(description="Why the last attempt failed, readable as is")
    summary: str | None = Field(default=None, description="The short text of the result")
    media_sha256: str | None
    media_mimetype: str | None = Field(description="The type read from the content")
    image_url: str | None = Field(default=None, description="The original image, when stored")
    thumbnail_url: str | None = None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime


class JobDetail(JobRead):
    result: dict[str, Any] | None = Field(
        description="The extraction result: image info, codes, PIX, boleto, OCR, summary"
    )
    lease_owner: str | None
    lease_expires_at: datetime | None


class JobCounts(Schema):
    pending: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    total: int = 0


@dataclass(frozen=True)
class JobFilters:
    statuses: tuple[JobStatus, ...] = ()
    instance_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    #: The caller's scope: only these instances' jobs (``None``: every job).
    instance_ids: frozenset[int] | None = None
