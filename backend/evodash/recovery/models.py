from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, BigIntPK, utcnow


class RecoveryTrigger(enum.StrEnum):
    startup = "startup"  # evodash started: it may have missed anything while down
    reconnect = "reconnect"  # the instance went back to open: WhatsApp may have queued
    manual = "manual"  # someone asked (button, API)


class RecoveryStatus(enum.StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"  # ``error`` says why; what was stored before stays stored


class RecoveryRun(Base):
    """One pass over the messages Evolution stored for an instance in a time window."""

    __tablename__ = "recovery_run"
    __table_args__ = (
        Index("ix_recovery_run_instance_id_started_at", "instance_id", "started_at"),
        # At most one run per instance at a time, whichever process starts it.
        Index(
            "uq_recovery_run_running",
            "instance_id",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE")
    )
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=RecoveryStatus.running.value)
    #: The WhatsApp time window asked for (both inclusive).
    since: Mapped[datetime]
    until: Mapped[datetime]
    #: Distinct messages Evolution returned in the window, and how many were new here.
    found: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    #: Progress: pages read of the pages Evolution announced (it can change while paging).
    pages_done: Mapped[int] = mapped_column(default=0)
    pages_total: Mapped[int | None]
    #: Evolution's count of matching messages when the first page was read.
    total: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Last sign of life; a running run silent for long was cut short (its process died).
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
