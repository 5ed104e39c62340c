from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, status

from evodash.auth.deps import AdminUser, CurrentUser, OperatorUser
from evodash.core.deps import SessionDep, SettingsDep
from evodash.core.params import BigId, Cursor, Id, PageSize
from evodash.core.schemas import CursorPage, error_responses
from evodash.core.urls import public_part
from evodash.users.models import Role
from evodash.webhooks import SECRET_HEADER, service
from evodash.webhooks.deps import ForwarderDep, ReceiverSettingsDep, WebhookInstanceDep
from evodash.webhooks.models import DeliveryStatus, EventStatus
from evodash.webhooks.schemas import (
    Envelope,
    WebhookDeliveryRead,
    WebhookEventDetail,
    WebhookEventRead,
    WebhookReceipt,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

RECEIVER_DOC = f"""
Where Evolution API posts the events of one instance (configured by evodash when it creates
the instance). Authenticated by the instance's webhook secret in the `{SECRET_HEADER}`
header: a wrong or missing secret is **401**.

The raw event is stored before the answer, then applied idempotently: the same event twice,
or events out of order, leave the same state. **200** means it is stored, even when applying
it failed (the event is then `failed`, with its error, and can be replayed) and for events
evodash does not use. **400**: the body is not JSON; **422**: it is not an Evolution event;
**413**: larger than `WEBHOOK_MAX_BODY_BYTES`. **410**: the instance was deleted while
the event was on its way.
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


async def _receive(
    instance: WebhookInstanceDep,
    request: Request,
    session: SessionDep,
    settings: ReceiverSettingsDep,
    forwarder: ForwarderDep,
    background: BackgroundTasks,
    suffix: str | None,
) -> WebhookReceipt:
    received = await service.receive(
        session, instance, await request.body(), suffix=suffix, settings=settings
    )
    if received.delivery_id is not None and forwarder is not None:
        # Background tasks run after the commit and the answer: forwarding never delays it.
        background.add_task(forwarder.start, received.delivery_id)
    return received.receipt


@router.post(
    "/evolution/{instance_id}",
    response_model=WebhookReceipt,
    summary="Receive an Evolution event",
    description=RECEIVER_DOC,
    responses=error_responses(400, 401, 410, 413, 422),
    openapi_extra=_BODY,
)
async def receive_event(
    instance: WebhookInstanceDep,
    request: Request,
    session: SessionDep,
    settings: ReceiverSettingsDep,
    forwarder: ForwarderDep,
    background: BackgroundTasks,
) -> WebhookReceipt:
    return await _receive(instance, request, session, settings, forwarder, background, None)


@router.post(
    "/evolution/{instance_id}/{event_name}",
    response_model=WebhookReceipt,
    summary="Receive an Evolution event (byEvents URL)",
    description=RECEIVER_DOC + "\nThe last path segment is the event in kebab case "
    "(`messages-upsert`); it must match the body's `event`.",
    responses=error_responses(400, 401, 410, 413, 422),
    openapi_extra=_BODY,
)
async def receive_event_by_name(
    instance: WebhookInstanceDep,
    event_name: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")],
    request: Request,
    session: SessionDep,
    settings: ReceiverSettingsDep,
    forwarder: ForwarderDep,
    background: BackgroundTasks,
) -> WebhookReceipt:
    return await _receive(instance, request, session, settings, forwarder, background, event_name)


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
    )


@router.get(
    "/events/{event_id}",
    response_model=WebhookEventDetail,
    summary="Get a received event with its body (admins)",
    responses=error_responses(401, 403, 404),
)
async def get_event(_: AdminUser, event_id: BigId, session: SessionDep) -> WebhookEventDetail:
    return service.event_detail(await service.get_event(session, event_id))


@router.post(
    "/events/{event_id}/replay",
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
    responses=error_responses(400, 401, 422),
)
async def list_deliveries(
    reader: CurrentUser,
    session: SessionDep,
    instance_id: InstanceFilter = None,
    event_id: Annotated[BigId | None, Query(description="Only this event")] = None,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    cursor: CursorQuery = None,
    limit: Limit = 50,
) -> CursorPage[WebhookDeliveryRead]:
    page = await service.list_deliveries(
        session,
        instance_id=instance_id,
        event_id=event_id,
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
    description="Queues one more attempt to the instance's current forward URL and starts "
    "it right away. Only the last attempt of an event, once failed for good, is retryable.",
    responses=error_responses(401, 403, 404, 409),
)
async def retry_delivery(
    _: OperatorUser,
    delivery_id: BigId,
    session: SessionDep,
    forwarder: ForwarderDep,
    background: BackgroundTasks,
) -> WebhookDeliveryRead:
    delivery = await service.retry_delivery(session, delivery_id)
    if forwarder is not None:
        background.add_task(forwarder.start, delivery.id)
    return WebhookDeliveryRead.model_validate(delivery)
