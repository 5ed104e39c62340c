from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from evodash.auth.deps import AdminUser, CurrentUser, OperatorUser
from evodash.core.deps import ClientIP, HttpClientDep, SessionDep, SettingsDep
from evodash.core.params import BigId, Cursor, PageSize, Timestamp
from evodash.core.schemas import CursorPage, error_responses
from evodash.instances.deps import InstanceDep
from evodash.messages import service
from evodash.messages.deps import MessageFiltersDep
from evodash.messages.schemas import (
    AllowedNumbers,
    AllowListRead,
    InstanceMessageCounts,
    MessageRaw,
    MessageRead,
    SendText,
)
from evodash.teams.deps import ScopeDep

router = APIRouter(prefix="/messages", tags=["messages"])
instance_router = APIRouter(prefix="/instances/{instance_id:int}", tags=["messages"])
allowlist_router = APIRouter(prefix="/instances/{instance_id:int}", tags=["allow-list"])

ALLOW_LIST_DOC = (
    "The numbers allowed to trigger processing (image jobs) on this instance, on top of "
    "the global `ALLOWED_PHONE_NUMBERS`. **When both lists are empty, everyone is "
    "allowed.** Messages from other numbers are still stored, marked blocked "
    "(`is_allowed: false`), and trigger nothing. Numbers match in any format: `+55 11 "
    "98765-4321`, `5511987654321@s.whatsapp.net`, and Brazilian mobiles with or without "
    "the ninth digit are the same number."
)


@router.get(
    "",
    response_model=CursorPage[MessageRead],
    summary="List messages, newest first",
    description="Keyset pagination: pass `next_cursor` back as `cursor` for the next page. "
    "Filters combine with AND.",
    responses=error_responses(400, 401, 422),
)
async def list_messages(
    _: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    filters: MessageFiltersDep,
    cursor: Annotated[Cursor | None, Query(description="From `next_cursor`")] = None,
    limit: Annotated[PageSize, Query(description="Items per page")] = 50,
) -> CursorPage[MessageRead]:
    return await service.list_messages(
        session, filters, cursor=cursor, limit=limit, settings=settings
    )


@router.get(
    "/counts",
    response_model=list[InstanceMessageCounts],
    summary="Message counts per instance",
    responses=error_responses(401, 422),
)
async def message_counts(
    _: CurrentUser,
    session: SessionDep,
    scope: ScopeDep,
    since: Annotated[Timestamp | None, Query(description="Received at or after")] = None,
    until: Annotated[Timestamp | None, Query(description="Received before")] = None,
) -> list[InstanceMessageCounts]:
    return await service.counts(session, since=since, until=until, scope=scope)


@router.get(
    "/{message_id}",
    response_model=MessageRead,
    summary="Get a message",
    responses=error_responses(401, 404),
)
async def get_message(
    _: CurrentUser, message_id: BigId, session: SessionDep, scope: ScopeDep
) -> MessageRead:
    return MessageRead.model_validate(await service.get_message(session, message_id, scope))


@router.get(
    "/{message_id}/raw",
    response_model=MessageRaw,
    summary="Get a message's raw Evolution payload (admins)",
    responses=error_responses(401, 403, 404),
)
async def get_message_raw(
    _: AdminUser, message_id: BigId, session: SessionDep, scope: ScopeDep
) -> MessageRaw:
    message = await service.get_message(session, message_id, scope)
    return MessageRaw(id=message.id, raw=message.raw)


@instance_router.post(
    "/messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    summary="Send a text message from an instance",
    description="Sent with Evolution's `sendText` and stored as an outgoing message.",
    responses=error_responses(401, 403, 404, 409, 422, 502, 504),
)
async def send_text(
    actor: OperatorUser,
    instance: InstanceDep,
    body: SendText,
    session: SessionDep,
    settings: SettingsDep,
    http: HttpClientDep,
    ip: ClientIP,
) -> MessageRead:
    message = await service.send_text(
        session, instance, body, http=http, settings=settings, actor=actor, ip=ip
    )
    return MessageRead.model_validate(message)


@allowlist_router.get(
    "/allowed-numbers",
    response_model=AllowListRead,
    summary="Read an instance's allow-list",
    description=ALLOW_LIST_DOC,
    responses=error_responses(401, 404),
)
async def get_allowed_numbers(
    _: CurrentUser, instance: InstanceDep, settings: SettingsDep
) -> AllowListRead:
    return service.allow_list(instance, settings)


@allowlist_router.put(
    "/allowed-numbers",
    response_model=AllowListRead,
    summary="Replace an instance's allow-list",
    description=ALLOW_LIST_DOC + " Send `[]` to clear it.",
    responses=error_responses(401, 403, 404, 422),
)
async def set_allowed_numbers(
    actor: OperatorUser,
    instance: InstanceDep,
    body: AllowedNumbers,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> AllowListRead:
    return await service.set_allowed_numbers(
        session, instance, body.numbers, settings=settings, actor=actor, ip=ip
    )
