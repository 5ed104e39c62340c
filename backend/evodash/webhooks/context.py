"""What an event handler gets, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.evolution.webhooks import WebhookEvent as Wire
from evodash.evolution.webhooks import parse_event
from evodash.instances.models import EvolutionInstance
from evodash.webhooks.models import EventStatus, WebhookEvent


@dataclass(frozen=True)
class Outcome:
    status: EventStatus
    note: str | None = None


PROCESSED = Outcome(EventStatus.processed)


def ignored(note: str) -> Outcome:
    return Outcome(EventStatus.ignored, note)


@dataclass(eq=False)
class EventContext:
    session: AsyncSession
    settings: Settings
    instance: EvolutionInstance
    event: WebhookEvent

    @cached_property
    def wire(self) -> Wire:
        """The stored body as a typed Evolution event."""
        return parse_event(self.event.body, own_jid=self.instance.owner_jid)

    @property
    def occurred_at(self) -> datetime | None:
        return self.wire.at
