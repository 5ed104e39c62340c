from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, BigIntPK, TimestampMixin, utcnow


class InstanceStatus(enum.StrEnum):
    created = "created"
    connecting = "connecting"
    open = "open"
    close = "close"
    refused = "refused"
    unreachable = "unreachable"


class EvolutionInstance(TimestampMixin, Base):
    __tablename__ = "evolution_instance"
    __table_args__ = (
        # The technical name is unique per server among live instances; a deleted instance
        # keeps its row (and its messages and history) without blocking the name.
        Index(
            "uq_evolution_instance_live_name",
            "server_id",
            "name",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_evolution_instance_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    server_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_server.id", ondelete="RESTRICT"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(100))
    # The technical name: the instance's name on the Evolution server.
    name: Mapped[str] = mapped_column(String(64))
    evolution_id: Mapped[str | None] = mapped_column(String(64))
    token_encrypted: Mapped[str | None] = mapped_column(Text)
    token_last4: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(
        String(16), default=InstanceStatus.created.value, index=True
    )
    phone_number: Mapped[str | None] = mapped_column(String(32))
    owner_jid: Mapped[str | None] = mapped_column(String(128))
    profile_name: Mapped[str | None] = mapped_column(String(200))
    profile_picture_url: Mapped[str | None] = mapped_column(Text)
    disconnection_reason: Mapped[int | None]
    #: See :mod:`evodash.instances.webhook_secret`: never the secret in clear, except in
    #: ``legacy_webhook_secret`` for rows written before it existed (sealed at startup).
    webhook_secret_digest: Mapped[str | None] = mapped_column(String(64))
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    legacy_webhook_secret: Mapped[str | None] = mapped_column("webhook_secret", String(128))
    webhook_events: Mapped[list[str]] = mapped_column(default=list)
    webhook_drift: Mapped[dict[str, Any] | None]
    webhook_checked_at: Mapped[datetime | None]
    allowed_numbers: Mapped[list[str]] = mapped_column(default=list)
    reply_with_summary: Mapped[bool] = mapped_column(default=False)
    last_qr: Mapped[str | None] = mapped_column(Text)
    last_qr_code: Mapped[str | None] = mapped_column(Text)
    last_qr_at: Mapped[datetime | None]
    pairing_code: Mapped[str | None] = mapped_column(String(32))
    last_status_sync_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    connected_at: Mapped[datetime | None]
    #: The newest server clock (``date_time``) of the webhooks applied, per aspect of the
    #: state they write (see :mod:`evodash.instances.state`).
    webhook_clock: Mapped[dict[str, Any] | None]
    #: Days its messages are kept (null: RETENTION_MESSAGES_DAYS).
    message_retention_days: Mapped[int | None]
    #: Set when the instance was deleted but its history kept; such rows are read-only.
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)


class ConnectionSource(enum.StrEnum):
    webhook = "webhook"
    sync = "sync"
    action = "action"


class ConnectionEvent(Base):
    __tablename__ = "connection_event"
    __table_args__ = (
        Index("ix_connection_event_instance_id_at", "instance_id", "at"),
        Index("ix_connection_event_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(String(16))
    previous_state: Mapped[str | None] = mapped_column(String(16))
    reason_code: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
