from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, TimestampMixin


class ForwardDestination(TimestampMixin, Base):
    """Where an instance relays its events. ``events`` holds subscription names
    (``MESSAGES_UPSERT``); empty means every event. The secret header's value is only
    stored encrypted (with ``SECRET_KEY``) and never returned."""

    __tablename__ = "forward_destination"
    __table_args__ = (
        Index("uq_forward_destination_instance_name", "instance_id", "name", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(1000))
    events: Mapped[list[str]] = mapped_column(default=list)
    secret_header_name: Mapped[str | None] = mapped_column(String(64))
    secret_header_value_encrypted: Mapped[str | None] = mapped_column(Text)
    max_attempts: Mapped[int] = mapped_column(default=5)
    retry_base_seconds: Mapped[float] = mapped_column(Float, default=5.0)
    enabled: Mapped[bool] = mapped_column(default=True)

    @property
    def has_secret(self) -> bool:
        return self.secret_header_value_encrypted is not None

    def wants(self, event: str) -> bool:
        """Whether an event (its payload name, ``messages.upsert``) is relayed here."""
        return self.enabled and (not self.events or subscription_name(event) in self.events)


def subscription_name(event: str) -> str:
    """``group-participants.update`` → ``GROUP_PARTICIPANTS_UPDATE`` (the webhook/set name)."""
    return event.replace(".", "_").replace("-", "_").upper()
