"""What applying an event answers."""

from __future__ import annotations

from dataclasses import dataclass

from evodash.webhooks.models import EventStatus


@dataclass(frozen=True)
class Outcome:
    status: EventStatus
    note: str | None = None
    #: Whether the event goes on to the instance's destinations.
    relay: bool = True


PROCESSED = Outcome(EventStatus.processed)
#: A ``messages.upsert`` whose messages were all stored before (by a recovery pass that
#: met them before their webhook was applied, or by a repeated webhook): the path that
#: stored a message first relayed it, so each message reaches a destination once.
ALREADY_STORED = Outcome(
    EventStatus.processed,
    "its message was already stored (recovered, or a repeated webhook): not relayed again",
    relay=False,
)


def ignored(note: str) -> Outcome:
    return Outcome(EventStatus.ignored, note)
