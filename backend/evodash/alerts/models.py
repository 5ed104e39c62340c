"""Tables of the alerts domain: rules (admins' overrides of the defaults), alerts (one per
rule and subject while it fires, kept afterwards as history), notification channels, the
result of each delivery, and the zombie probe's memory."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, BigIntPK, TimestampMixin, utcnow
from evodash.teams.scope import Subject


class RuleKind(enum.StrEnum):
    down = "down"  # an instance left open and is not back
    connecting = "connecting"  # stuck connecting / waiting for its QR code
    zombie = "zombie"  # "open", silent, and a call that needs WhatsApp fails
    flapping = "flapping"  # many transitions in a short window
    server_unreachable = "server_unreachable"
    forward_failing = "forward_failing"  # the forward URL failed N times in a row
    jobs_failing = "jobs_failing"  # image jobs failing above a rate
    backup_failed = "backup_failed"  # the last scheduled backup attempt failed


class AlertState(enum.StrEnum):
    #: The condition holds, but not for its threshold yet (nobody is told).
    pending = "pending"
    firing = "firing"
    resolved = "resolved"


class SubjectType(enum.StrEnum):
    instance = "instance"
    server = "server"
    jobs = "jobs"
    backups = "backups"


def scope_subject(subject_type: str, subject_id: int | None) -> Subject:
    """The scoping subject of an alert about ``subject_type`` ``subject_id``: an instance,
    a server, or (the image jobs, the backups) the whole fleet."""
    if subject_id is not None and subject_type == SubjectType.instance.value:
        return Subject(instance_id=subject_id)
    if subject_id is not None and subject_type == SubjectType.server.value:
        return Subject(server_id=subject_id)
    return Subject()


class NoticeKind(enum.StrEnum):
    fired = "fired"
    repeat = "repeat"
    resolved = "resolved"
    test = "test"


class ChannelKind(enum.StrEnum):
    webhook = "webhook"
    whatsapp = "whatsapp"
    email = "email"


class AlertRule(Base):
    """An admin's settings for one rule kind; a kind without a row uses the defaults."""

    __tablename__ = "alert_rule"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (
        # One alert per (rule, subject) while it is pending or firing, whoever evaluates.
        Index(
            "uq_alert_active",
            "rule",
            "subject_key",
            unique=True,
            sqlite_where=text("state IN ('pending', 'firing')"),
            postgresql_where=text("state IN ('pending', 'firing')"),
        ),
        Index("ix_alert_state_started_at", "state", "started_at"),
        Index("ix_alert_started_at", "started_at"),
        Index("ix_alert_subject_key_started_at", "subject_key", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int | None]
    #: ``instance:12``, ``server:3``, ``jobs:invoice``, ``backups:scheduled``.
    subject_key: Mapped[str] = mapped_column(String(64))
    subject_label: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default=AlertState.pending.value)
    detail: Mapped[str | None] = mapped_column(Text)
    #: The figures behind ``detail`` (``{"status": "close"}``, ``{"transitions": 7}``…).
    facts: Mapped[dict[str, Any] | None]
    #: When the condition started (as far as evodash knows).
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    fired_at: Mapped[datetime | None]
    last_checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_notified_at: Mapped[datetime | None]
    notifications: Mapped[int] = mapped_column(default=0)
    resolved_at: Mapped[datetime | None]
    acked_at: Mapped[datetime | None]
    acked_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    silenced_until: Mapped[datetime | None]

    @property
    def instance_id(self) -> int | None:
        """The instance the alert is about, if any."""
        return self.subject_id if self.subject_type == SubjectType.instance.value else None

    @property
    def scope_subject(self) -> Subject:
        """Who may see the alert (the API's lists and the live events decide by it)."""
        return scope_subject(self.subject_type, self.subject_id)


class AlertChannel(TimestampMixin, Base):
    __tablename__ = "alert_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(default=True)
    #: Everything but the secret (URL and body format; instance and numbers; SMTP server).
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The SMTP password, encrypted like Evolution keys (Fernet from SECRET_KEY).
    secret_encrypted: Mapped[str | None] = mapped_column(Text)


class AlertDelivery(Base):
    """What one channel did with one notice."""

    __tablename__ = "alert_delivery"
    __table_args__ = (Index("ix_alert_delivery_alert_id", "alert_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_channel.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(200))
    notice: Mapped[str] = mapped_column(String(16))
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(Text)
    ms: Mapped[int] = mapped_column(default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertProbe(Base):
    """The zombie rule's last successful probe of an instance: a sign of life, like an
    event (the next probe comes one threshold later)."""

    __tablename__ = "alert_probe"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), primary_key=True
    )
    ok_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
