"""What an event handler gets, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.evolution.webhooks import WebhookEvent as Wire
from evodash.evolution.webhooks import parse_event
from evodash.instances.history import instance_payload, qr_payload
from evodash.instances.models import EvolutionInstance
from evodash.instances.state import Change
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
    #: Realtime events to publish if (and only if) applying succeeds.
    pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @cached_property
    def wire(self) -> Wire:
        """The stored body as a typed Evolution event."""
        return parse_event(self.event.body, own_jid=self.instance.owner_jid)

    @property
    def occurred_at(self) -> datetime | None:
        return self.wire.at

    def emit(self, event_type: str, data: dict[str, Any]) -> None:
        self.pending.append((event_type, data))

    def announce(self, change: Change) -> None:
        """The realtime events of a state change (see :func:`evodash.instances.state.announce`)."""
        if change.transition is not None or change.changed:
            self.emit("instance.updated", instance_payload(self.instance))
        if change.new_qr:
            self.emit("instance.qr", qr_payload(self.instance))
