from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from evodash.auth.deps import AdminUser, CurrentUser, OperatorUser
from evodash.core import metrics
from evodash.core.deps import SessionDep, SettingsDep
from evodash.core.params import BigId, Cursor, Id, PageSize, Timestamp
from evodash.core.schemas import CursorPage, error_responses
from evodash.core.urls import public_part
from evodash.users.models import Role
from evodash.webhooks import SECRET_HEADER, service
from evodash.webhooks.deps import WebhookTasksDep
from evodash.webhooks.models import DeliveryStatus, EventStatus
from evodash.webhooks.receiver import MAX_JSON_DEPTH, receipt
from evodash.webhooks.route import EVENT_NAME_PATTERN, ReceiverRoute
from evodash.webhooks.schemas import (
    Envelope,
    EventSelection,
    ReplayReport,
    WebhookDeliveryRead,
    WebhookEventDetail,
    WebhookEventRead,
    WebhookReceipt,
)
from evodash.webhooks.tasks import WebhookTasks

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
#: The receiver's two routes: documented from their signatures, served lean.
receiver_router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=ReceiverRoute)

RECEIVER_DOC = f"""
Where Evolution API posts the events of one instance (configured by evodash when it creates
the instance). Authenticated by the instance's webhook secret in the `{SECRET_HEADER}`
header: a wrong or missing secret is **401** (the body is not read).

**200** means the event is stored (durable; the instance token in `apikey` masked), with
`status: received`: it is applied moments later, idempotently (the same event twice, or
events out of order, leave the same state), in order with the instance's other events.
Events evodash does not use are stored too. How applying went is on the stored event
(`GET /api/webhooks/events/{{id}}`): `processed`, `ignored`, `deferred` or `failed` (with
its error, replayable). **400**: the body is not JSON; **422**: it is not an Evolution
event, or nests deeper than {MAX_JSON_DEPTH} levels; **413**: larger than
`WEBHOOK_MAX_BODY_BYTES`. **410**: the instance was deleted while the event was on its way.
**503**: it could not be stored (database unavailable); nothing was kept, send it again.
"""
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": Envelope.model_json_schema()}},
    }
}
Limit = Annotated[PageSize, Query(description="Items per page")]
CursorQuery = Annotated[Cursor | None, Query(description="From `next_cursor`")]
InstanceFilter = Annotated[Id | None, Query(description="Only this instance")]
InstanceId = Annotated[Id, Path()]
Secret = Annotated[
    str | None,
    Header(
        alias=SECRET_HEADER,
        description="The instance's webhook secret, configured on Evolution as a custom "
        "webhook header",
    ),
]


async def _receive(
    tasks: WebhookTasks, instance_id: int, secret: str | None, request: Request, suffix: str | None
) -> Response:
    started = time.perf_counter()
    client = request.client.host if request.client else "unknown"
    name = await tasks.receiver.authenticate(instance_id, secret, client)
    event_id = await tasks.receiver.receive(instance_id, name, await request.body(), suffix=suffix)
    metrics.WEBHOOK_INGEST.observe(time.perf_counter() - started)
    return Response(receipt(event_id), media_type="application/json")


@receiver_router.post(
    "/evolution/{instance_id}",
    response_model=WebhookReceipt,
    summary="Receive an Evolution event",
    description=RECEIVER_DOC,
    responses=error_responses(400, 401, 410, 413, 422, 503),
    openapi_extra=_BODY,
)
async def receive_event(
    instance_id: InstanceId, request: Request, tasks: WebhookTasksDep, secret: Secret = None
) -> Response:
    return await _receive(tasks, instance_id, secret, request, None)


@receiver_router.post(
    "/evolution/{instance_id}/{event_name}",
    response_model=WebhookReceipt,
    summary="Receive an Evolution event (byEvents URL)",
    description=RECEIVER_DOC + "\nThe last path segment is the event in kebab case "
    "(`messages-upsert`); it must match the body's `event`.",
    responses=error_responses(400, 401, 410, 413, 422, 503),
    openapi_extra=_BODY,
)
async def receive_event_by_name(
    instance_id: InstanceId,
    event_name: Annotated[str, Path(max_length=64, pattern=EVENT_NAME_PATTERN)],
    request: Request,
    tasks: WebhookTasksDep,
    secret: Secret = None,
) -> Response:
    return await _receive(tasks, instance_id, secret, request, event_name)


@router.get(
    "/events",
    response_model=CursorPage[WebhookEventRead],
    summary="List received events, newest first (admins)",
    responses=error_responses(400, 401, 403, 422),
)
async def list_events(
    _: AdminUser,
    session: SessionDep,
    instance_id: InstanceFilter = None,
    event_status: Annotated[EventStatus | None, Query(alias="status")] = None,
    event: Annotated[str | None, Query(max_length=64, description="e.g. messages.upsert")] = None,
    since: Annotated[Timestamp | None, Query(description="Received at or after")] = None,
    until: Annotated[Timestamp | None, Query(description="Received at or before")] = None,
    cursor: CursorQuery = None,
    limit: Limit = 50,
) -> CursorPage[WebhookEventRead]:
    return await service.list_events(
        session,
        instance_id=instance_id,
        status=event_status,
        event=event,
        cursor=cursor,
        limit=limit,
        since=since,
        until=until,
    )


@router.post(
    "/events/replay",
    response_model=ReplayReport,
    summary="Apply a selection of received events again (admins)",
    description="Replays, oldest first, up to 500 events matching every filter given (an "
    "empty selection matches every event). Idempotent like a single replay; events of "
    "deleted instances are skipped. Replays are not forwarded.",
    responses=error_responses(401, 403, 422),
)
async def replay_events(
    _: AdminUser, selection: EventSelection, session: SessionDep, settings: SettingsDep
) -> ReplayReport:
    return await service.replay_many(session, selection, settings=settings)


@router.get(
    "/events/{event_id:int}",
    response_model=WebhookEventDetail,
    summary="Get a received event with its body (admins)",
    description="Credentials in the body (the instance token, secrets, tokens, passwords) "
    "are masked; strings longer than 4000 characters (media as base64) are shortened.",
    responses=error_responses(401, 403, 404),
)
async def get_event(_: AdminUser, event_id: BigId, session: SessionDep) -> WebhookEventDetail:
    return service.event_detail(await service.get_event(session, event_id))


@router.post(
    "/events/{event_id:int}/replay",
    response_model=WebhookEventRead,
    summary="Apply a received event again (admins)",
    description="Applying is idempotent, so replaying an event that was applied changes "
    "nothing; a failed one is applied anew. Replays are not forwarded.",
    responses=error_responses(401, 403, 404, 409),
)
async def replay_event(
    _: AdminUser, event_id: BigId, session: SessionDep, settings: SettingsDep
) -> WebhookEventRead:
    return WebhookEventRead.model_validate(
        await service.replay(session, event_id, settings=settings)
    )


@router.get(
    "/deliveries",
    response_model=CursorPage[WebhookDeliveryRead],
    summary="List forwarding attempts, newest first",
    description="Every attempt to relay an event to one of its instance's destinations; "
    "filter by `destination_id` for one destination.",
    responses=error_responses(400, 401, 422),
)
async def list_deliveries(
    reader: CurrentUser,
    session: SessionDep,
    instance_id: InstanceFilter = None,
    event_id: Annotated[BigId | None, Query(description="Only this event")] = None,
    destination_id: Annotated[Id | None, Query(description="Only this destination")] = None,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    cursor: CursorQuery = None,
    limit: Limit = 50,
) -> CursorPage[WebhookDeliveryRead]:
    page = await service.list_deliveries(
        session,
        instance_id=instance_id,
        event_id=event_id,
        destination_id=destination_id,
        status=delivery_status,
        cursor=cursor,
        limit=limit,
    )
    if reader.role == Role.viewer:
        # Error texts of forward attempts tell what answered where (a port scanner in the
        # wrong hands) and URLs may carry tokens: viewers get the status and the host.
        for item in page.items:
            item.error = None
            item.url = public_part(item.url)
    return page


@router.post(
    "/deliveries/{delivery_id}/retry",
    response_model=WebhookDeliveryRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Forward an event again after its attempts failed",
    description="Queues one more attempt to its destination's current URL, due now "
    "(a worker runs it). Only the last attempt of an event, once failed for good, is retryable.",
    responses=error_responses(401, 403, 404, 409),
)
async def retry_delivery(
    _: OperatorUser,
    delivery_id: BigId,
    session: SessionDep,
) -> WebhookDeliveryRead:
    delivery = await service.retry_delivery(session, delivery_id)
    [read] = await service.deliveries_read(session, [delivery])
    return read
