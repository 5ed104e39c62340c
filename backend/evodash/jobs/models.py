from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, TimestampMixin, utcnow


class JobStatus(enum.StrEnum):
    pending = "pending"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class ImageProcessingJob(TimestampMixin, Base):
    __tablename__ = "image_processing_job"
    __table_args__ = (
        Index("ix_image_processing_job_status_run_after", "status", "run_after"),
        Index("ix_image_processing_job_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("whatsapp_message.id", ondelete="SET NULL"), index=True
    )
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32), default="invoice")
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.pending.value)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
    progress: Mapped[int] = mapped_column(default=0)
    progress_message: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]
    #: What a job of a kind other than ``invoice`` works on (``{"delivery_id": …}``).
    payload: Mapped[dict[str, Any] | None]
    media_path: Mapped[str | None] = mapped_column(String(500))
    thumbnail_path: Mapped[str | None] = mapped_column(String(500))
    media_sha256: Mapped[str | None] = mapped_column(String(64))
    media_mimetype: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
