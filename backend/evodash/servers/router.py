"""``/api/servers``: Evolution servers (admins manage them; everyone may read them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from evodash.auth.deps import AdminUser, CurrentUser, OperatorUser
from evodash.core.deps import ClientIP, HttpClientDep, SessionDep, SessionMakerDep, SettingsDep
from evodash.core.pagination import PageParams, page_params
from evodash.core.schemas import Page, error_responses
from evodash.servers import service
from evodash.servers.deps import ServerDep
from evodash.servers.schemas import (
    ServerCreate,
    ServerRead,
    ServerTestRequest,
    ServerTestResult,
    ServerUpdate,
)
from evodash.teams.deps import ScopeDep

router = APIRouter(prefix="/servers", tags=["servers"])

Paging = Annotated[PageParams, Depends(page_params)]


@router.get(
    "",
    response_model=Page[ServerRead],
    summary="List Evolution servers",
    responses=error_responses(401),
)
async def list_servers(
    _: CurrentUser, session: SessionDep, paging: Paging, scope: ScopeDep
) -> Page[ServerRead]:
    items, total = await service.list_servers(
        session, offset=paging.offset, limit=paging.page_size, scope=scope
    )
    return Page(items=items, total=total, page=paging.page, page_size=paging.page_size)


@router.post(
    "",
    response_model=ServerRead,
    status_code=status.HTTP_201_CREATED,
    summary="Register an Evolution server",
    description="The global API key is stored encrypted and never returned (last 4 only). "
    "Nothing is sent to the server: use the test endpoints to check it.",
    responses=error_responses(401, 403, 409, 422),
)
async def create_server(
    actor: AdminUser, body: ServerCreate, session: SessionDep, settings: SettingsDep, ip: ClientIP
) -> ServerRead:
    server = await service.create_server(session, body, settings, actor=actor, ip=ip)
    return service.to_read(server)


@router.post(
    "/test",
    response_model=ServerTestResult,
    summary="Test a server before saving it",
    description="Calls `GET /` (reachability, Evolution and WhatsApp Web versions) and "
    "`fetchInstances` (is the key valid?). A server that cannot be reached or does not "
    "answer like Evolution API gives 502/504 with the reason.",
    responses=error_responses(401, 403, 422, 502, 504),
)
async def test_new_server(
    _: AdminUser, body: ServerTestRequest, http: HttpClientDep, settings: SettingsDep
) -> ServerTestResult:
    client = service.client_for_url(http, body.base_url, body.api_key.get_secret_value(), settings)
    return await service.check_connection(client)


@router.get(
    "/{server_id:int}",
    response_model=ServerRead,
    summary="Get an Evolution server",
    responses=error_responses(401, 404),
)
async def get_server(
    _: CurrentUser, server: ServerDep, session: SessionDep, scope: ScopeDep
) -> ServerRead:
    return await service.read_server(session, server, scope)


@router.patch(
    "/{server_id:int}",
    response_model=ServerRead,
    summary="Update an Evolution server (name, URL, API key)",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_server(
    actor: AdminUser,
    server: ServerDep,
    body: ServerUpdate,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> ServerRead:
    await service.update_server(session, server, body, settings, actor=actor, ip=ip)
    return await service.read_server(session, server)


@router.delete(
    "/{server_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete an Evolution server",
    description="Refused (409) while the server has instances, unless `remove_instances` "
    "is true: then they are deleted on Evolution first, and here with their history. If "
    "an Evolution delete fails nothing is deleted here (502/504), unless `force` is true.",
    responses=error_responses(401, 403, 404, 409, 502, 504),
)
async def delete_server(
    actor: AdminUser,
    server: ServerDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
    remove_instances: Annotated[bool, Query(description="Delete its instances too")] = False,
    force: Annotated[
        bool, Query(description="Delete here even if Evolution cannot delete them")
    ] = False,
) -> Response:
    await service.delete_server(
        session,
        http,
        settings,
        server,
        remove_instances=remove_instances,
        force=force,
        actor=actor,
        ip=ip,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{server_id:int}/test",
    response_model=ServerTestResult,
    summary="Test a saved server's connection",
    description="Like `POST /servers/test` with the stored URL and key; the result is kept "
    "on the server (version, reachability, last error).",
    responses=error_responses(401, 403, 404, 409, 502, 504),
)
async def test_server(
    actor: OperatorUser,
    server: ServerDep,
    session: SessionDep,
    sessionmaker: SessionMakerDep,
    http: HttpClientDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> ServerTestResult:
    return await service.check_saved_server(
        session, sessionmaker, http, settings, server, actor=actor, ip=ip
    )
