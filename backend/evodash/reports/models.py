"""Rollups of ``whatsapp_message`` kept by database triggers (see the migration
``message_rollups``): every insert and delete, by any code path, updates them in the same
transaction, so reports and the dashboard's total never scan the messages table.

``message_hourly.received`` counts every message ever stored in that hour (it is history:
retention does not lower it); ``stored`` counts those still in the table (deletes lower it).
``sender_daily`` counts incoming messages per sender and day (erased with the sender).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base


class MessageHourly(Base):
    __tablename__ = "message_hourly"
    __table_args__ = (Index("ix_message_hourly_instance_id_hour", "instance_id", "hour"),)

    hour: Mapped[datetime] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), primary_key=True
    )
    direction: Mapped[str] = mapped_column(String(3), primary_key=True)
    is_allowed: Mapped[bool] = mapped_column(primary_key=True)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    stored: Mapped[int] = mapped_column(BigInteger, default=0)


class SenderDaily(Base):
    __tablename__ = "sender_daily"
    __table_args__ = (Index("ix_sender_daily_sender_phone", "sender_phone"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), primary_key=True
    )
    sender_phone: Mapped[str] = mapped_column(String(32), primary_key=True)
    messages: Mapped[int] = mapped_column(BigInteger, default=0)
