"""Every realtime event evodash sends, as one discriminated union (the only module that
names them).

Producers build one of these classes and hand it to :func:`evodash.realtime.emit`; the
WebSocket streams them as JSON (``{"id", "type", "at", "data", "subject"}``; each kind
says what it is about in :meth:`Event.about`, and sockets are filtered by that subject).
The union is part of the OpenAPI document (``GET /api/ws/events``), so the SPA's types are
generated from it.
"""

from __future__ import annotations

import itertools
import os
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from evodash.alerts.schemas import AlertRead
from evodash.bulk.schemas import BulkItemRead
from evodash.instances.schemas import InstanceRead
from evodash.jobs.schemas import JobRead
from evodash.messages.schemas import MessageRead
from evodash.recovery.schemas import RecoveryRunRead
from evodash.teams.scope import Subject


class _EventIds:
    """Unique event ids without a system call each (``uuid4`` reads the OS's random
    source every time, and ``os.getpid`` is a system call too; the applier makes thousands
    a second): 64 random bits per process, drawn again in a forked child, followed by a
    counter. 32 hex digits, as before."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count()

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


_new_id = _EventIds()


def _now() -> datetime:
    return datetime.now(UTC)


def _not_read_only(schema: dict[str, Any]) -> None:
    schema.pop("readOnly", None)


class Event(BaseModel):
    """What every event has: a unique id, when it was made, and what it is about."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    id: str = Field(default_factory=_new_id, description="Unique per event")
    at: datetime = Field(default_factory=_now)

    @computed_field(  # type: ignore[prop-decorator]
        description="The instance or server the event is about (neither: fleet-wide); a "
        "socket only gets the events whose subject its user's teams see",
        # Events only ever go out: no separate "writable" shape in the generated client.
        json_schema_extra=_not_read_only,
    )
    @property
    def subject(self) -> Subject:
        return self.about()

    def about(self) -> Subject:
        """The subject of this kind of event (each kind says; here: fleet-wide)."""
        return Subject()


# --- payloads that are not API resources ------------------------------------------------


class InstanceRef(BaseModel):
    id: int
    server_id: int


class InstanceQrCode(BaseModel):
    id: int = Field(description="The instance")
    qr: str | None = Field(description="The QR code as a PNG data URL")
    code: str | None = Field(description="The QR code's text")
    pairing_code: str | None
    at: datetime | None = Field(description="When the code was received")


class ServerRef(BaseModel):
    id: int
    name: str


class ServerGone(BaseModel):
    id: int


class Greeting(BaseModel):
    user: str = Field(description="The username the socket is authenticated as")


# --- the events -------------------------------------------------------------------------


class InstanceCreatedEvent(Event):
    type: Literal["instance.created"] = "instance.created"
    data: InstanceRead

    def about(self) -> Subject:
        return Subject(instance_id=self.data.id, server_id=self.data.server_id)


class InstanceUpdatedEvent(Event):
    """Anything about the instance changed (status, profile, error, settings…)."""

    type: Literal["instance.updated"] = "instance.updated"
    data: InstanceRead

    def about(self) -> Subject:
        return Subject(instance_id=self.data.id, server_id=self.data.server_id)


class InstanceDeletedEvent(Event):
    type: Literal["instance.deleted"] = "instance.deleted"
    data: InstanceRef

    def about(self) -> Subject:
        return Subject(instance_id=self.data.id, server_id=self.data.server_id)


class InstanceQrEvent(Event):
    """A new QR or pairing code to show (it rotates every ~45 s while pairing)."""

    type: Literal["instance.qr"] = "instance.qr"
    data: InstanceQrCode

    def about(self) -> Subject:
        return Subject(instance_id=self.data.id)


class MessageCreatedEvent(Event):
    type: Literal["message.created"] = "message.created"
    data: MessageRead

    def about(self) -> Subject:
        return Subject(instance_id=self.data.instance_id)


class MessageUpdatedEvent(Event):
    """A delivery receipt, or a deletion for everyone."""

    type: Literal["message.updated"] = "message.updated"
    data: MessageRead

    def about(self) -> Subject:
        return Subject(instance_id=self.data.instance_id)


class JobUpdatedEvent(Event):
    """A job was queued, progressed, or finished."""

    type: Literal["job.updated"] = "job.updated"
    data: JobRead

    def about(self) -> Subject:
        return Subject(instance_id=self.data.instance_id)


class RecoveryUpdatedEvent(Event):
    """A recovery pass started or ended (on reconnect, at startup, or asked for)."""

    type: Literal["recovery.updated"] = "recovery.updated"
    data: RecoveryRunRead

    def about(self) -> Subject:
        return Subject(instance_id=self.data.instance_id)


class ServerCreatedEvent(Event):
    type: Literal["server.created"] = "server.created"
    data: ServerRef

    def about(self) -> Subject:
        return Subject(server_id=self.data.id)


class ServerUpdatedEvent(Event):
    type: Literal["server.updated"] = "server.updated"
    data: ServerRef

    def about(self) -> Subject:
        return Subject(server_id=self.data.id)


class ServerDeletedEvent(Event):
    type: Literal["server.deleted"] = "server.deleted"
    data: ServerGone

    def about(self) -> Subject:
        return Subject(server_id=self.data.id)


class AlertFiredEvent(Event):
    """An alert started firing (its rule's condition held for the threshold)."""

    type: Literal["alert.fired"] = "alert.fired"
    data: AlertRead

    def about(self) -> Subject:
        return self.data.scope_subject


class AlertResolvedEvent(Event):
    type: Literal["alert.resolved"] = "alert.resolved"
    data: AlertRead

    def about(self) -> Subject:
        return self.data.scope_subject


class AlertAckedEvent(Event):
    """Someone acknowledged a firing alert (no more repeats) or silenced it."""

    type: Literal["alert.acked"] = "alert.acked"
    data: AlertRead

    def about(self) -> Subject:
        return self.data.scope_subject


class BulkItemEvent(Event):
    """One instance of a bulk operation (a template applied, a bulk action) finished."""

    type: Literal["bulk.item"] = "bulk.item"
    data: BulkItemRead


class HelloEvent(Event):
    """The first frame of a socket."""

    type: Literal["hello"] = "hello"
    data: Greeting


class PingEvent(Event):
    """Sent every 25 s so that proxies keep the socket open."""

    type: Literal["ping"] = "ping"
    data: None = None


RealtimeEvent = Annotated[
    InstanceCreatedEvent
    | InstanceUpdatedEvent
    | InstanceDeletedEvent
    | InstanceQrEvent
    | MessageCreatedEvent
    | MessageUpdatedEvent
    | JobUpdatedEvent
    | RecoveryUpdatedEvent
    | ServerCreatedEvent
    | ServerUpdatedEvent
    | ServerDeletedEvent
    | AlertFiredEvent
    | AlertResolvedEvent
    | AlertAckedEvent
    | BulkItemEvent
    | HelloEvent
    | PingEvent,
    Field(discriminator="type"),
]
