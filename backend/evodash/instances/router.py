"""``/api/instances``: the instance lifecycle, connection actions, status sync, import and
Evolution settings. Viewers read; operators act; admins delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response, status

from evodash.auth.deps import AdminUser, CurrentUser, OperatorUser, ThrottleDep
from evodash.core.deps import ClientIP, HttpClientDep, SessionDep, SettingsDep
from evodash.core.pagination import PageParams, page_params
from evodash.core.params import Id
from evodash.core.schemas import Page, error_responses
from evodash.instances import actions, importing, service, subscriptions, sync
from evodash.instances.deps import AnyInstanceDep, InstanceDep
from evodash.instances.models import InstanceStatus
from evodash.instances.schemas import (
    ActionRead,
    BulkWebhookEventSelection,
    ConnectionEventRead,
    ConnectRead,
    ConnectRequest,
    EventSelectionReport,
    ImportableRead,
    ImportRequest,
    ImportResultRead,
    InstanceCreate,
    InstanceRead,
    InstanceSettingsRead,
    InstanceSettingsWrite,
    InstanceUpdate,
    SyncReportRead,
    SyncRequest,
    WebhookEventInfo,
    WebhookEventSelection,
)
from evodash.servers import service as servers
from evodash.servers.errors import ServerNotFound
from evodash.teams.deps import ScopeDep
from evodash.users.models import User

router = APIRouter(prefix="/instances", tags=["instances"])

Paging = Annotated[PageParams, Depends(page_params)]
EVOLUTION_ERRORS = (502, 504)


def _read(instance: object, reader: User | None = None) -> InstanceRead:
    del reader  # every role sees the same fields
    return InstanceRead.model_validate(instance)


@router.get(
    "",
    response_model=Page[InstanceRead],
    summary="List instances",
    responses=error_responses(401, 422),
)
async def list_instances(
    reader: CurrentUser,
    session: SessionDep,
    scope: ScopeDep,
    paging: Paging,
    server_id: Annotated[Id | None, Query(description="Only this server's instances")] = None,
    status_: Annotated[
        list[InstanceStatus] | None, Query(alias="status", description="One or more statuses")
    ] = None,
    search: Annotated[
        str | None, Query(max_length=100, description="Display name, technical name or phone")
    ] = None,
    include_deleted: Annotated[
        bool, Query(description="Also deleted instances that keep their history")
    ] = False,
) -> Page[InstanceRead]:
    rows, total = await service.list_instances(
        session,
        offset=paging.offset,
        limit=paging.page_size,
        server_id=server_id,
        status=status_,
        search=search,
        include_deleted=include_deleted,
        scope=scope,
    )
    return Page(
        items=[_read(r, reader) for r in rows],
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )


@router.post(
    "",
    response_model=InstanceRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create an instance",
    description="Creates it on Evolution with its webhook pointing at evodash, and here: "
    "both or neither. Give `server_id`, or `evolution_url` + `api_key` (the registered "
    "server with that URL is reused; registering a new one needs the admin role).",
    responses=error_responses(401, 403, 404, 409, 422, *EVOLUTION_ERRORS),
)
async def create_instance(
    actor: OperatorUser,
    body: InstanceCreate,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    ip: ClientIP,
    scope: ScopeDep,
) -> InstanceRead:
    if not scope.unlimited and (body.server_id is None or not scope.holds_server(body.server_id)):
        # A team member creates instances on the servers the team holds, by their id.
        raise ServerNotFound()
    instance = await service.create_instance(
        session, http, settings, body, actor=actor, ip=ip, throttle=throttle
    )
    return _read(instance)


@router.post(
    "/sync",
    response_model=SyncReportRead,
    summary="Sync the status of some or all instances",
    description="Asks Evolution for each instance's live state (and webhook drift), a "
    "bounded number at a time. One result per instance; an unreachable server marks its "
    "instances `unreachable` and the others go on.",
    responses=error_responses(401, 403, 422),
)
async def sync_instances(
    _: OperatorUser,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    scope: ScopeDep,
    body: Annotated[SyncRequest | None, Body()] = None,
) -> SyncReportRead:
    request = body or SyncRequest()
    return await sync.sync_instances(
        session,
        http,
        settings,
        scope.visible(request.instance_ids),
        check_webhook=request.check_webhook,
    )


@router.get(
    "/importable",
    response_model=list[ImportableRead],
    summary="Instances of a server that evodash does not manage yet",
    responses=error_responses(401, 403, 404, 409, 422, *EVOLUTION_ERRORS),
)
async def list_importable(
    _: OperatorUser,
    server_id: Id,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    scope: ScopeDep,
) -> list[ImportableRead]:
    if not scope.holds_server(server_id):
        raise ServerNotFound()
    server = await servers.get_server(session, server_id)
    return await importing.list_importable(session, http, settings, server)


@router.post(
    "/import",
    response_model=ImportResultRead,
    summary="Adopt existing Evolution instances",
    description="Each chosen instance gets its row here and its webhook pointed at "
    "evodash; one result per instance.",
    responses=error_responses(401, 403, 404, 409, 422, *EVOLUTION_ERRORS),
)
async def import_instances(
    actor: OperatorUser,
    body: ImportRequest,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
    scope: ScopeDep,
) -> ImportResultRead:
    if not scope.holds_server(body.server_id):
        raise ServerNotFound()
    return await importing.import_instances(session, http, settings, body, actor=actor, ip=ip)


@router.get(
    "/{instance_id:int}",
    response_model=InstanceRead,
    summary="Get an instance",
    responses=error_responses(401, 404),
)
async def get_instance(reader: CurrentUser, instance: AnyInstanceDep) -> InstanceRead:
    return _read(instance, reader)


@router.patch(
    "/{instance_id:int}",
    response_model=InstanceRead,
    summary="Update an instance (display name, phone, invoice replies, retention)",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_instance(
    actor: OperatorUser,
    instance: InstanceDep,
    body: InstanceUpdate,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> InstanceRead:
    return _read(
        await service.update_instance(session, instance, body, settings, actor=actor, ip=ip)
    )


@router.delete(
    "/{instance_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete an instance (on Evolution too)",
    description="By default its messages and connection history are kept (the instance "
    "is marked deleted); `keep_history=false` removes them too. If Evolution cannot "
    "delete it, nothing changes here (502/504) unless `force` is true.",
    responses=error_responses(401, 403, 404, 409, *EVOLUTION_ERRORS),
)
async def delete_instance(
    actor: AdminUser,
    instance: InstanceDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
    keep_history: Annotated[bool, Query(description="Keep messages and history")] = True,
    force: Annotated[bool, Query(description="Delete here even if Evolution fails")] = False,
) -> Response:
    await service.delete_instance(
        session,
        http,
        settings,
        instance,
        keep_history=keep_history,
        force=force,
        actor=actor,
        ip=ip,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/webhook-events",
    response_model=list[WebhookEventInfo],
    summary="The events an instance's webhook can subscribe to",
    description="Every event Evolution's `webhook/set` accepts, in the server's order; "
    "`required` ones are what evodash itself needs and are always subscribed.",
    responses=error_responses(401),
)
async def webhook_event_catalog(_: CurrentUser) -> list[WebhookEventInfo]:
    return subscriptions.catalog()


@router.post(
    "/webhook-events",
    response_model=EventSelectionReport,
    summary="Change the subscribed events of several instances",
    description="Sets the webhook of each instance on Evolution to the required events "
    "plus `events`; one result per instance (an Evolution failure only fails its "
    "instance, which keeps its previous selection).",
    responses=error_responses(401, 403, 422),
)
async def set_events_in_bulk(
    actor: OperatorUser,
    data: BulkWebhookEventSelection,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> EventSelectionReport:
    return await subscriptions.set_events(
        session, http, settings, data.instance_ids, data.events, actor=actor, ip=ip
    )


@router.put(
    "/{instance_id:int}/webhook-events",
    response_model=InstanceRead,
    summary="Change the events an instance's webhook subscribes to",
    description="The required events are always added. Evolution is updated first "
    "(`webhook/set`); if it fails, nothing changes here (502/504).",
    responses=error_responses(401, 403, 404, 409, 422, *EVOLUTION_ERRORS),
)
async def set_events(
    actor: OperatorUser,
    instance: InstanceDep,
    data: WebhookEventSelection,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> InstanceRead:
    await subscriptions.set_events(
        session, http, settings, [instance.id], data.events, actor=actor, ip=ip, raise_errors=True
    )
    await session.refresh(instance)
    return _read(instance)


@router.get(
    "/{instance_id:int}/events",
    response_model=Page[ConnectionEventRead],
    summary="Connection history (state changes), newest first",
    responses=error_responses(401, 404),
)
async def list_events(
    _: CurrentUser, instance: AnyInstanceDep, session: SessionDep, paging: Paging
) -> Page[ConnectionEventRead]:
    rows, total = await service.list_events(
        session, instance, offset=paging.offset, limit=paging.page_size
    )
    return Page(
        items=[ConnectionEventRead.model_validate(r) for r in rows],
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )


@router.post(
    "/{instance_id:int}/connect",
    response_model=ConnectRead,
    summary="Connect to WhatsApp: QR code or pairing code",
    description="Answers a QR code (PNG data URL), a pairing code (when a phone number is "
    "known or given), `already_open`, or `no_qr_yet` with `retry_after_seconds`. Later QR "
    "codes arrive as realtime events.",
    responses=error_responses(400, 401, 403, 404, 409, 422, *EVOLUTION_ERRORS),
)
async def connect(
    actor: OperatorUser,
    instance: InstanceDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
    body: Annotated[ConnectRequest | None, Body()] = None,
) -> ConnectRead:
    return await actions.connect(
        session, http, settings, instance, body or ConnectRequest(), actor=actor, ip=ip
    )


@router.post(
    "/{instance_id:int}/disconnect",
    response_model=ActionRead,
    summary="Disconnect from WhatsApp (log out)",
    responses=error_responses(401, 403, 404, 409, *EVOLUTION_ERRORS),
)
async def disconnect(
    actor: OperatorUser,
    instance: InstanceDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> ActionRead:
    message = await actions.disconnect(session, http, settings, instance, actor=actor, ip=ip)
    return ActionRead(message=message, instance=_read(instance))


@router.post(
    "/{instance_id:int}/restart",
    response_model=ActionRead,
    summary="Restart the instance's connection",
    responses=error_responses(401, 403, 404, 409, *EVOLUTION_ERRORS),
)
async def restart(
    actor: OperatorUser,
    instance: InstanceDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> ActionRead:
    message = await actions.restart(session, http, settings, instance, actor=actor, ip=ip)
    return ActionRead(message=message, instance=_read(instance))


@router.post(
    "/{instance_id:int}/webhook",
    response_model=ActionRead,
    summary="Re-apply the evodash webhook on Evolution",
    responses=error_responses(401, 403, 404, 409, *EVOLUTION_ERRORS),
)
async def apply_webhook(
    actor: OperatorUser,
    instance: InstanceDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> ActionRead:
    message = await actions.apply_webhook(session, http, settings, instance, actor=actor, ip=ip)
    return ActionRead(message=message, instance=_read(instance))


@router.post(
    "/{instance_id:int}/sync",
    response_model=SyncReportRead,
    summary="Sync this instance's status and webhook",
    responses=error_responses(401, 403, 404, 409),
)
async def sync_instance(
    _: OperatorUser,
    instance: InstanceDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
) -> SyncReportRead:
    return await sync.sync_instances(session, http, settings, [instance.id], check_webhook=True)


@router.get(
    "/{instance_id:int}/settings",
    response_model=InstanceSettingsRead,
    summary="Read the instance's Evolution settings",
    responses=error_responses(401, 404, 409, *EVOLUTION_ERRORS),
)
async def read_settings(
    _: CurrentUser,
    instance: InstanceDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
) -> InstanceSettingsRead:
    return await actions.read_settings(session, http, settings, instance)


@router.put(
    "/{instance_id:int}/settings",
    response_model=InstanceSettingsRead,
    summary="Change the instance's Evolution settings",
    description="Always-online and full-history sync take effect after a restart.",
    responses=error_responses(401, 403, 404, 409, 422, *EVOLUTION_ERRORS),
)
async def write_settings(
    actor: OperatorUser,
    instance: InstanceDep,
    body: InstanceSettingsWrite,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> InstanceSettingsRead:
    return await actions.write_settings(session, http, settings, instance, body, actor=actor, ip=ip)
