"""Rollups of ``whatsapp_message`` kept by database triggers (see the migration
``message_rollups``): every insert and delete, by any code path, updates them in the same
transaction, so reports and the dashboard's total never scan the messages table.

``message_daily`` (UTC days) counts the messages ever stored each day (history: retention
does not lower ``received``/``sent``/``blocked``) and those still in the table
(``stored``: deletes lower it). ``message_hourly`` has the same history per UTC hour, for
the busiest hours and for days in other time zones. ``sender_daily`` counts incoming
messages per sender and UTC day (erased with the sender).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base


class _Counts:
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    sent: Mapped[int] = mapped_column(BigInteger, default=0)
    blocked: Mapped[int] = mapped_column(BigInteger, default=0)


class MessageDaily(_Counts, Base):
    __tablename__ = "message_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), primary_key=True
    )
    stored: Mapped[int] = mapped_column(BigInteger, default=0)


class MessageHourly(_Counts, Base):
    __tablename__ = "message_hourly"
    __table_args__ = (Index("ix_message_hourly_hour_of_day_hour", "hour_of_day", "hour"),)

    hour: Mapped[datetime] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), primary_key=True
    )
    hour_of_day: Mapped[int] = mapped_column(SmallInteger)


class SenderDaily(Base):
    __tablename__ = "sender_daily"
    __table_args__ = (Index("ix_sender_daily_sender_phone", "sender_phone"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), primary_key=True
    )
    sender_phone: Mapped[str] = mapped_column(String(32), primary_key=True)
    messages: Mapped[int] = mapped_column(BigInteger, default=0)


class UptimeDaily(Base):
    """Uptime of finished days, computed once and kept (a day's connection events do not
    change once it is over). Keyed by the report's time zone, since days depend on it;
    ``instance_id`` 0 marks a day computed for every instance. No foreign key: a marker
    names no instance."""

    __tablename__ = "uptime_daily"

    tz: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    instance_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    open_seconds: Mapped[float]
    observed_seconds: Mapped[float]
