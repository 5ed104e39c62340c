from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, JSONType, TimestampMixin, utcnow


class FleetTemplate(TimestampMixin, Base):
    """A configuration to apply to many instances. Each section is optional: ``None``
    leaves that part of an instance alone; a value makes it match exactly.

    ``settings`` holds only the Evolution switches the template sets. ``destinations``
    are relay destinations (their secret header values encrypted with ``SECRET_KEY``,
    never returned). ``version`` grows at every change, so instances applied with an
    older version show drift."""

    __tablename__ = "fleet_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    events: Mapped[list[str] | None]
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    allowed_numbers: Mapped[list[str] | None]
    destinations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class TemplateLink(Base):
    """An instance a template was applied to (one template per instance), and what
    differed at the last check (``drift``: ``None`` when it matched)."""

    __tablename__ = "fleet_template_link"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), primary_key=True
    )
    template_id: Mapped[int] = mapped_column(
        ForeignKey("fleet_template.id", ondelete="CASCADE"), index=True
    )
    applied_version: Mapped[int]
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime | None]
    drift: Mapped[dict[str, Any] | None]
