"""``/api/instances/{id}/destinations``: where an instance relays its events. Viewers read
(URLs without credentials); operators change them; secret header values are write-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from evodash.auth.deps import CurrentUser, OperatorUser
from evodash.core.deps import ClientIP, HttpClientDep, SessionDep, SettingsDep
from evodash.core.params import Id
from evodash.core.schemas import error_responses
from evodash.core.urls import public_part
from evodash.destinations import service
from evodash.destinations.models import ForwardDestination
from evodash.destinations.schemas import (
    MAX_DESTINATIONS,
    DestinationCreate,
    DestinationRead,
    DestinationTestResult,
    DestinationUpdate,
)
from evodash.instances.deps import AnyInstanceDep, InstanceDep
from evodash.users.models import Role, User

router = APIRouter(prefix="/instances/{instance_id:int}/destinations", tags=["destinations"])
DestinationId = Annotated[Id, Path()]


def _read(destination: ForwardDestination, reader: User) -> DestinationRead:
    read = DestinationRead.model_validate(destination)
    if reader.role == Role.viewer:
        # URLs often carry a token: viewers see where events go, not the secret.
        read.url = public_part(read.url)
    return read


@router.get(
    "",
    response_model=list[DestinationRead],
    summary="The instance's relay destinations",
    responses=error_responses(401, 404, 422),
)
async def list_destinations(
    reader: CurrentUser, instance: AnyInstanceDep, session: SessionDep
) -> list[DestinationRead]:
    return [_read(d, reader) for d in await service.list_for(session, instance.id)]


@router.post(
    "",
    response_model=DestinationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a relay destination",
    description=f"At most {MAX_DESTINATIONS} per instance (**409** `too_many_destinations`). "
    "Every event the instance receives whose name is in `events` (all when empty) is "
    "forwarded there as received (without the instance token), with the secret header if "
    "one is set. URLs must resolve to public addresses unless "
    "`FORWARD_ALLOW_PRIVATE_NETWORKS` (**422** `destination_url_refused`).",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def create_destination(
    actor: OperatorUser,
    instance: InstanceDep,
    data: DestinationCreate,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> DestinationRead:
    destination = await service.create(session, instance, data, settings, actor=actor, ip=ip)
    return _read(destination, actor)


@router.get(
    "/{destination_id}",
    response_model=DestinationRead,
    summary="Get a relay destination",
    responses=error_responses(401, 404, 422),
)
async def get_destination(
    reader: CurrentUser,
    instance: AnyInstanceDep,
    destination_id: DestinationId,
    session: SessionDep,
) -> DestinationRead:
    return _read(await service.get(session, instance.id, destination_id), reader)


@router.patch(
    "/{destination_id}",
    response_model=DestinationRead,
    summary="Change a relay destination",
    description="Only the fields sent change. Attempts already made keep the URL they "
    "went to; retries go to the new one.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_destination(
    actor: OperatorUser,
    instance: InstanceDep,
    destination_id: DestinationId,
    data: DestinationUpdate,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> DestinationRead:
    destination = await service.get(session, instance.id, destination_id)
    updated = await service.update(session, destination, data, settings, actor=actor, ip=ip)
    return _read(updated, actor)


@router.delete(
    "/{destination_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Remove a relay destination",
    description="Its attempts stay in the deliveries log; those still waiting are not sent.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def delete_destination(
    actor: OperatorUser,
    instance: InstanceDep,
    destination_id: DestinationId,
    session: SessionDep,
    ip: ClientIP,
) -> Response:
    destination = await service.get(session, instance.id, destination_id)
    await service.delete(session, destination, actor=actor, ip=ip)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{destination_id}/test",
    response_model=DestinationTestResult,
    summary="Send a test event to a relay destination",
    description='Posts `{"event": "evodash.test", …}` once, with the same address '
    "checks and headers as a relay, and says how it went; nothing is recorded or retried.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def test_destination(
    _: OperatorUser,
    instance: InstanceDep,
    destination_id: DestinationId,
    session: SessionDep,
    settings: SettingsDep,
    http: HttpClientDep,
) -> DestinationTestResult:
    destination = await service.get(session, instance.id, destination_id)
    return await service.test_send(destination, instance, http, settings)
