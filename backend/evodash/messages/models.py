from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, BigIntPK, StoredJSON, TimestampMixin


class Direction(enum.StrEnum):
    incoming = "in"
    outgoing = "out"


class WhatsAppMessage(TimestampMixin, Base):
    __tablename__ = "whatsapp_message"
    __table_args__ = (
        UniqueConstraint("instance_id", "message_id"),
        # Newest first per instance, and newest first overall (keyset on (timestamp, id)).
        Index("ix_whatsapp_message_instance_ts", "instance_id", "wa_timestamp", "id"),
        Index("ix_whatsapp_message_ts", "wa_timestamp", "id"),
        Index("ix_whatsapp_message_sender_phone", "sender_phone"),
        # Covers the dashboard's per-hour counts: an index-only range scan.
        Index("ix_whatsapp_message_ts_stats", "wa_timestamp", "direction", "is_allowed"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE")
    )
    message_id: Mapped[str] = mapped_column(String(128))
    remote_jid: Mapped[str] = mapped_column(String(128))
    participant: Mapped[str | None] = mapped_column(String(128))
    sender_phone: Mapped[str | None] = mapped_column(String(32))
    sender_name: Mapped[str | None] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(3))
    from_me: Mapped[bool] = mapped_column(default=False)
    is_group: Mapped[bool] = mapped_column(default=False)
    message_type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    media_mimetype: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(20))
    wa_timestamp: Mapped[datetime]
    is_allowed: Mapped[bool] = mapped_column(default=True)
    deleted_at: Mapped[datetime | None]
    raw: Mapped[dict[str, Any]] = mapped_column(StoredJSON)
