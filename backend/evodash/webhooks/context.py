"""What applying an event answers."""

from __future__ import annotations

from dataclasses import dataclass

from evodash.webhooks.models import EventStatus


@dataclass(frozen=True)
class Outcome:
    status: EventStatus
    note: str | None = None


PROCESSED = Outcome(EventStatus.processed)


def ignored(note: str) -> Outcome:
    return Outcome(EventStatus.ignored, note)
