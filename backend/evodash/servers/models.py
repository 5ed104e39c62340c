from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, TimestampMixin


class EvolutionServer(TimestampMixin, Base):
    __tablename__ = "evolution_server"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    base_url: Mapped[str] = mapped_column(String(500), unique=True)
    api_key_encrypted: Mapped[str] = mapped_column(Text)
    api_key_last4: Mapped[str] = mapped_column(String(4))
    version: Mapped[str | None] = mapped_column(String(32))
    whatsapp_web_version: Mapped[str | None] = mapped_column(String(64))
    is_reachable: Mapped[bool | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_checked_at: Mapped[datetime | None]
