"""Server-side sessions: every cookie session and Bearer token is a row that can be revoked.

A session JWT carries the row's id (``sid``); each request checks that the row exists, is
not revoked and has not expired. Logging out, changing the password, being deactivated
or "log out everywhere" set ``revoked_at``, and every API process sees it at the next
request because the check reads the database (no process memory involved).

WebSocket tickets are rows too (``kind='ws_ticket'``): short-lived, used once (the first
use sets ``revoked_at`` with a conditional UPDATE, so two processes cannot both accept it).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, utcnow


class SessionKind(enum.StrEnum):
    session = "session"  # the SPA's cookie
    bearer = "bearer"  # POST /api/auth/token
    ws_ticket = "ws_ticket"  # POST /api/ws/ticket


class AuthSession(Base):
    __tablename__ = "auth_session"
    __table_args__ = (Index("ix_auth_session_user_id_revoked_at", "user_id", "revoked_at"),)

    #: Random, 32 bytes url-safe; the ``sid`` claim of the JWT (or the ticket itself).
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    #: A ticket lives only as long as what it was issued from: a session, or an API key.
    parent_id: Mapped[str | None] = mapped_column(String(64))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id", ondelete="CASCADE"))
