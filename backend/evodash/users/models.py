from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, false, func
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, BigIntPK, TimestampMixin, utcnow


class Role(enum.StrEnum):
    admin = "admin"
    operator = "operator"
    viewer = "viewer"

    @property
    def rank(self) -> int:
        return {"viewer": 0, "operator": 1, "admin": 2}[self.value]


class User(TimestampMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.viewer.value)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password reset or deactivation: every token issued before stops working.
    token_version: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None]


# Usernames are matched case-insensitively at login: unique that way in the database too,
# so two concurrent creates of "Ana" and "ana" cannot both succeed.
Index("uq_user_username_lower", func.lower(User.username), unique=True)


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: Whether a request authenticated with this key may create more API keys.
    can_create_keys: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Only reads (GET, HEAD): every other method is refused with 403.
    read_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The operations (``evodash.auth.operations``) the key may perform; empty: all.
    operations: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    #: Limits the key to these instances and the instances of these teams; both empty:
    #: no limit beyond its user's.
    instance_ids: Mapped[list[int]] = mapped_column(default=list, server_default="[]")
    team_ids: Mapped[list[int]] = mapped_column(default=list, server_default="[]")


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    username: Mapped[str | None] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None]
    ip_address: Mapped[str | None] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(default=True)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
