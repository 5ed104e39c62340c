"""What an event handler gets, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.instances.models import EvolutionInstance
from evodash.webhooks.models import EventStatus, WebhookEvent


@dataclass(frozen=True)
class Outcome:
    status: EventStatus
    note: str | None = None


PROCESSED = Outcome(EventStatus.processed)


def ignored(note: str) -> Outcome:
    return Outcome(EventStatus.ignored, note)


def parse_server_time(value: object) -> datetime | None:
    """Evolution's ``date_time`` (ISO, a ``Z`` that may lie about the zone) as a datetime.

    Only compared with other ``date_time`` values of the same server, so the zone does not
    matter.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class EventContext:
    session: AsyncSession
    settings: Settings
    instance: EvolutionInstance
    event: WebhookEvent
    #: Realtime events to publish if (and only if) applying succeeds.
    pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def body(self) -> dict[str, Any]:
        return self.event.body

    @property
    def data(self) -> Any:
        return self.event.body.get("data")

    @property
    def occurred_at(self) -> datetime | None:
        return parse_server_time(self.event.body.get("date_time"))

    def emit(self, event_type: str, data: dict[str, Any]) -> None:
        self.pending.append((event_type, data))
