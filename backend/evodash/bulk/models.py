from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, utcnow


class BulkAction(enum.StrEnum):
    template = "template"
    disconnect = "disconnect"
    restart = "restart"
    delete = "delete"
    webhook = "webhook"


class OperationStatus(enum.StrEnum):
    pending = "pending"
    running = "running"
    finished = "finished"


class ItemState(enum.StrEnum):
    pending = "pending"
    ok = "ok"
    unchanged = "unchanged"
    failed = "failed"


class BulkOperation(Base):
    __tablename__ = "bulk_operation"
    __table_args__ = (Index("ix_bulk_operation_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("fleet_template.id", ondelete="SET NULL")
    )
    #: Action options (``keep_history`` of a delete).
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OperationStatus.pending.value)
    runs: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class BulkItem(Base):
    __tablename__ = "bulk_item"

    operation_id: Mapped[int] = mapped_column(
        ForeignKey("bulk_operation.id", ondelete="CASCADE"), primary_key=True
    )
    #: Not a foreign key: the result of deleting an instance outlives its row.
    instance_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default=ItemState.pending.value)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    #: What the run changed (a template's differences; the action's message otherwise).
    changes: Mapped[dict[str, Any] | None]
    updated_at: Mapped[datetime | None]
