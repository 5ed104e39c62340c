"""Reconnect links: operators create, list and revoke them under an instance; the
customer's page uses the public routes (no login; the token in the body, never a URL)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response, status
from pydantic import Field

from evodash.auth.deps import OperatorUser, ThrottleDep
from evodash.core.deps import ClientIP, HttpClientDep, SessionDep, SettingsDep
from evodash.core.params import Id
from evodash.core.schemas import error_responses
from evodash.instances.deps import InstanceDep
from evodash.reconnect import service
from evodash.reconnect.schemas import (
    PublicAccess,
    PublicConnect,
    PublicState,
    ReconnectLinkCreate,
    ReconnectLinkCreated,
    ReconnectLinkRead,
)

router = APIRouter(prefix="/instances/{instance_id:int}/reconnect-links", tags=["reconnect"])
public_router = APIRouter(prefix="/public/reconnect", tags=["reconnect"])

TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


@router.post(
    "",
    response_model=ReconnectLinkCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer reconnect link",
    description="A link (shown once) that lets someone without an account pair this "
    "instance again: it works until it expires (24 h by default, at most 7 days), is "
    "revoked, or the instance connects through it. Optionally protected by a PIN.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def create_link(
    actor: OperatorUser,
    instance: InstanceDep,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
    body: Annotated[ReconnectLinkCreate | None, Body()] = None,
) -> ReconnectLinkCreated:
    return await service.create(
        session, settings, instance, body or ReconnectLinkCreate(), actor=actor, ip=ip
    )


@router.get(
    "",
    response_model=list[ReconnectLinkRead],
    summary="List the instance's reconnect links (newest 50; never their tokens)",
    responses=error_responses(401, 403, 404, 409),
)
async def list_links(
    _: OperatorUser, instance: InstanceDep, session: SessionDep
) -> list[ReconnectLinkRead]:
    return await service.list_links(session, instance)


@router.delete(
    "/{link_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Revoke a reconnect link",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def revoke_link(
    actor: OperatorUser, instance: InstanceDep, link_id: Id, session: SessionDep, ip: ClientIP
) -> Response:
    await service.revoke(session, instance, link_id, actor=actor, ip=ip)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class TokenAccess(PublicAccess):
    token: str = Field(pattern=TOKEN_PATTERN, description="The part of the link after `#`")


class TokenConnect(PublicConnect):
    token: str = Field(pattern=TOKEN_PATTERN, description="The part of the link after `#`")


@public_router.post(
    "/state",
    response_model=PublicState,
    summary="What a reconnect link's page shows (no login)",
    description="The instance's display name, whether a PIN is needed, its QR code or "
    "pairing code once pairing was started through the link, and whether it connected "
    "(then the link is spent). An unknown link is 404 `reconnect_link_not_found` and a "
    "throttled guess (429 after a few); a link that stopped working is 404 "
    "`reconnect_link_expired`, `reconnect_link_revoked` or `reconnect_link_used`.",
    responses=error_responses(403, 404, 422, 429),
)
async def link_state(
    body: TokenAccess,
    session: SessionDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    ip: ClientIP,
) -> PublicState:
    return await service.state(session, settings, throttle, body.token, body, ip)


@public_router.post(
    "/connect",
    response_model=PublicState,
    summary="Start pairing through a reconnect link (no login)",
    description="Asks Evolution for a QR code, or a pairing code when `phone_number` is "
    "given; later codes arrive through `/state`. The first call on a single-use link "
    "claims it for this browser: its answer's `claim` must come with every later request.",
    responses=error_responses(400, 403, 404, 409, 422, 429, 502, 504),
)
async def link_connect(
    body: TokenConnect,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    ip: ClientIP,
) -> PublicState:
    return await service.connect(session, http, settings, throttle, body.token, body, ip)
