"""Every realtime event names its subject in one typed field, which sockets filter by."""

from __future__ import annotations

import typing

from evodash.instances.schemas import InstanceRead
from evodash.jobs.schemas import JobRead
from evodash.messages.schemas import MessageRead
from evodash.realtime.events import (
    Event,
    Greeting,
    HelloEvent,
    InstanceDeletedEvent,
    InstanceQrCode,
    InstanceQrEvent,
    InstanceRef,
    InstanceUpdatedEvent,
    JobUpdatedEvent,
    MessageCreatedEvent,
    PingEvent,
    RealtimeEvent,
    ServerDeletedEvent,
    ServerGone,
)
from evodash.realtime.router import in_scope
from evodash.teams.scope import Scope, Subject


def _classes() -> list[type[Event]]:
    union = typing.get_args(RealtimeEvent)[0]
    return list(typing.get_args(union))


def test_every_event_type_documents_its_subject() -> None:
    for cls in _classes():
        schema = cls.model_json_schema(mode="serialization")
        assert "subject" in schema["required"], cls.__name__


def test_subjects_name_the_instance_or_the_server() -> None:
    instance = InstanceRead.model_construct(id=7, server_id=2)
    cases: list[tuple[Event, Subject]] = [
        (InstanceUpdatedEvent.model_construct(data=instance), Subject(instance_id=7, server_id=2)),
        (
            InstanceDeletedEvent(data=InstanceRef(id=7, server_id=2)),
            Subject(instance_id=7, server_id=2),
        ),
        (
            InstanceQrEvent(
                data=InstanceQrCode(id=7, qr=None, code=None, pairing_code=None, at=None)
            ),
            Subject(instance_id=7),
        ),
        (
            MessageCreatedEvent.model_construct(data=MessageRead.model_construct(instance_id=7)),
            Subject(instance_id=7),
        ),
        (
            JobUpdatedEvent.model_construct(data=JobRead.model_construct(instance_id=None)),
            Subject(),
        ),
        (ServerDeletedEvent(data=ServerGone(id=2)), Subject(server_id=2)),
        (HelloEvent(data=Greeting(user="ana")), Subject()),
        (PingEvent(), Subject()),
    ]
    for event, subject in cases:
        assert event.subject == subject, type(event).__name__


def test_a_socket_of_a_team_gets_the_events_about_what_the_team_sees() -> None:
    team = Scope(instance_ids=frozenset({7}), server_ids=frozenset({2}))
    seen = InstanceDeletedEvent(data=InstanceRef(id=7, server_id=2)).model_dump(mode="json")
    other = InstanceDeletedEvent(data=InstanceRef(id=8, server_id=2)).model_dump(mode="json")
    server = ServerDeletedEvent(data=ServerGone(id=2)).model_dump(mode="json")
    assert seen["subject"] == {"instance_id": 7, "server_id": 2}
    assert in_scope(seen, team) and in_scope(server, team)
    assert not in_scope(other, team)  # its server is seen, the instance is not
    assert in_scope(other, Scope())
