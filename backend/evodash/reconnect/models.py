"""A customer reconnect link: a URL that lets someone without an account pair one instance
again. Only a hash of its token is kept (the URL is shown once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, utcnow


class ReconnectLink(Base):
    __tablename__ = "reconnect_link"
    __table_args__ = (Index("ix_reconnect_link_instance_id", "instance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE")
    )
    #: SHA-256 of the token (128 random bits): looked up, never reversed.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: HMAC of the optional PIN (keyed with SECRET_KEY and the link's token hash).
    pin_hash: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: One use: the first browser that starts pairing claims the link (``claim_hash``);
    #: otherwise anyone holding it may pair until the instance connects through it.
    single_use: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: SHA-256 of the claim the first browser received (single-use links only).
    claim_hash: Mapped[str | None] = mapped_column(String(64))
    #: When the customer first started pairing through it.
    opened_at: Mapped[datetime | None]
    #: When the instance connected through it: the link is spent.
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: Why it stopped working before expiring (``revoked``).
    revoked_reason: Mapped[str | None] = mapped_column(String(16))
