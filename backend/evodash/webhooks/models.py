from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Text, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, BigIntPK, StoredJSON, utcnow


class EventStatus(enum.StrEnum):
    received = "received"  # stored (acknowledged), waiting for the applier
    processed = "processed"  # applied (whether or not it changed anything)
    ignored = "ignored"  # not used by evodash, stale, or for a deleted instance
    deferred = "deferred"  # refers to a message not stored yet; applied when it arrives
    failed = "failed"  # applying raised; ``error`` says why; replayable


def status_is(status: EventStatus) -> ColumnElement[bool]:
    """``webhook_event.status = '<status>'`` with the value written in the SQL, not bound:
    PostgreSQL uses a partial index only for a query whose text implies its predicate,
    and a bound value does not once the driver's prepared statement has a generic plan.
    (Five states, so five texts at most for a statement.)"""
    return WebhookEvent.status == literal_column(f"'{EventStatus(status).value}'")


class WebhookEvent(Base):
    """The inbox: every authenticated event, stored (the instance token masked) before it
    is acknowledged, then applied by :mod:`evodash.webhooks.applier`."""

    __tablename__ = "webhook_event"
    __table_args__ = (
        Index("ix_webhook_event_received_at", "received_at"),
        Index("ix_webhook_event_instance_id_received_at", "instance_id", "received_at"),
        # The applier's queue, the deferred updates and the failed events: small slices of
        # a big table, each its own partial index. No index on ``status`` alone: on
        # PostgreSQL it kept an entry of every applied event under ``received`` until the
        # next vacuum, and the queue's query, planned on it, read them all at every batch
        # (10-17 ms at 40,000 events; it grows with the table). A query on one of these
        # states names it as a literal (``status_is``), so that a prepared statement's
        # generic plan can still use its index.
        # In id order first: SQLite takes the oldest waiting events of every instance
        # from it without a sort (from the table in id order, it read every applied event
        # first); PostgreSQL filters on the instance in the index.
        Index(
            "ix_webhook_event_received",
            "id",
            "instance_id",
            sqlite_where=text("status = 'received'"),
            postgresql_where=text("status = 'received'"),
        ),
        Index(
            "ix_webhook_event_deferred",
            "instance_id",
            "id",
            sqlite_where=text("status = 'deferred'"),
            postgresql_where=text("status = 'deferred'"),
        ),
        # Failed events stay until replayed, for weeks maybe: listed newest first from here.
        Index(
            "ix_webhook_event_failed",
            "received_at",
            "id",
            sqlite_where=text("status = 'failed'"),
            postgresql_where=text("status = 'failed'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(64))
    instance_name: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(StoredJSON)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.received.value)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


class DeliveryStatus(enum.StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class WebhookDelivery(Base):
    """One attempt to relay an event to one of its instance's destinations. ``url`` is the
    destination's URL when the first attempt was made (kept when the destination goes)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_status_next_retry_at", "status", "next_retry_at"),
        Index("ix_webhook_delivery_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_event.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), index=True
    )
    destination_id: Mapped[int | None] = mapped_column(
        ForeignKey("forward_destination.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(String(1000))
    attempt: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending.value)
    http_status: Mapped[int | None]
    latency_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    next_retry_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
