"""``/api/alerts``: the alerts (firing and history), acknowledging and silencing them, the
rules admins tune, and the notification channels with their test button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from evodash.alerts import service
from evodash.alerts.deps import AlertDep, AlertFilterDep, ChannelDep
from evodash.alerts.models import RuleKind
from evodash.alerts.schemas import (
    AlertDetail,
    AlertRead,
    AlertSummary,
    ChannelCreate,
    ChannelRead,
    ChannelResult,
    ChannelUpdate,
    RuleRead,
    RuleUpdate,
    SilenceRequest,
)
from evodash.auth.deps import AdminUser, CurrentUser, OperatorUser
from evodash.core.deps import ClientIP, HttpClientDep, SessionDep, SettingsDep
from evodash.core.pagination import PageParams, page_params
from evodash.core.schemas import Page, error_responses
from evodash.teams.deps import ScopeDep
from evodash.users import audit

router = APIRouter(prefix="/alerts", tags=["alerts"])

Paging = Annotated[PageParams, Depends(page_params)]
Kind = Annotated[RuleKind, Path(description="The rule")]


@router.get(
    "",
    response_model=Page[AlertRead],
    summary="Alerts, newest first (firing and resolved; filter by rule, subject, state, time)",
    responses=error_responses(401, 422),
)
async def list_alerts(
    _: CurrentUser, session: SessionDep, filters: AlertFilterDep, paging: Paging
) -> Page[AlertRead]:
    return await service.list_alerts(session, filters, page=paging.page, page_size=paging.page_size)


@router.get(
    "/summary",
    response_model=AlertSummary,
    summary="How many alerts fire now, and how many nobody acknowledged (the bell)",
    responses=error_responses(401),
)
async def alert_summary(_: CurrentUser, session: SessionDep, scope: ScopeDep) -> AlertSummary:
    return await service.summary(session, scope)


# --- rules (before /{alert_id}: literal paths first) --------------------------------------


@router.get(
    "/rules",
    response_model=list[RuleRead],
    summary="Every rule: on or off, its parameters and their defaults",
    responses=error_responses(401),
)
async def list_rules(_: CurrentUser, session: SessionDep, settings: SettingsDep) -> list[RuleRead]:
    return await service.list_rules(session, settings)


@router.patch(
    "/rules/{kind}",
    response_model=RuleRead,
    summary="Turn a rule on or off, or change its parameters (admins)",
    responses=error_responses(401, 403, 422),
)
async def update_rule(
    actor: AdminUser,
    kind: Kind,
    change: RuleUpdate,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> RuleRead:
    rule = await service.update_rule(session, settings, kind, change, actor)
    audit.record(
        session,
        actor,
        "alert_rule.updated",
        object_type="alert_rule",
        object_id=kind.value,
        detail=change.model_dump(exclude_unset=True),
        ip=ip,
    )
    return rule


@router.delete(
    "/rules/{kind}",
    response_model=RuleRead,
    summary="Back to the defaults from the settings (admins)",
    responses=error_responses(401, 403, 422),
)
async def reset_rule(
    actor: AdminUser, kind: Kind, session: SessionDep, settings: SettingsDep, ip: ClientIP
) -> RuleRead:
    rule = await service.reset_rule(session, settings, kind)
    audit.record(
        session, actor, "alert_rule.reset", object_type="alert_rule", object_id=kind.value, ip=ip
    )
    return rule


# --- channels -----------------------------------------------------------------------------


@router.get(
    "/channels",
    response_model=list[ChannelRead],
    summary="Notification channels (admins)",
    responses=error_responses(401, 403),
)
async def list_channels(_: AdminUser, session: SessionDep) -> list[ChannelRead]:
    return await service.list_channels(session)


@router.post(
    "/channels",
    response_model=ChannelRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a notification channel: webhook, WhatsApp or e-mail (admins)",
    responses=error_responses(401, 403, 409, 422),
)
async def create_channel(
    actor: AdminUser,
    data: ChannelCreate,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> ChannelRead:
    channel = await service.create_channel(session, settings, data)
    audit.record(
        session,
        actor,
        "alert_channel.created",
        object_type="alert_channel",
        object_id=channel.id,
        detail={"name": channel.name, "kind": channel.kind.value},
        ip=ip,
    )
    return channel


@router.patch(
    "/channels/{channel_id:int}",
    response_model=ChannelRead,
    summary="Change a notification channel (admins)",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_channel(
    actor: AdminUser,
    channel: ChannelDep,
    change: ChannelUpdate,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> ChannelRead:
    read = await service.update_channel(session, settings, channel, change)
    audit.record(
        session,
        actor,
        "alert_channel.updated",
        object_type="alert_channel",
        object_id=channel.id,
        detail={"fields": sorted(change.model_fields_set)},
        ip=ip,
    )
    return read


@router.delete(
    "/channels/{channel_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Remove a notification channel (admins)",
    responses=error_responses(401, 403, 404),
)
async def delete_channel(
    actor: AdminUser, channel: ChannelDep, session: SessionDep, ip: ClientIP
) -> Response:
    audit.record(
        session,
        actor,
        "alert_channel.deleted",
        object_type="alert_channel",
        object_id=channel.id,
        detail={"name": channel.name},
        ip=ip,
    )
    await service.delete_channel(session, channel)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/channels/{channel_id:int}/test",
    response_model=ChannelResult,
    summary="Send a test alert through a channel now (admins)",
    description="Answers 200 with `ok: false` and the reason when the channel failed: the "
    "channel's own failure is the result, not an error of this call.",
    responses=error_responses(401, 403, 404),
)
async def test_channel(
    _: AdminUser,
    channel: ChannelDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
) -> ChannelResult:
    return await service.test_channel(session, http, settings, channel)


# --- one alert ----------------------------------------------------------------------------


@router.get(
    "/{alert_id:int}",
    response_model=AlertDetail,
    summary="An alert, with what each channel did with its notices",
    responses=error_responses(401, 404, 422),
)
async def get_alert(_: CurrentUser, alert: AlertDep, session: SessionDep) -> AlertDetail:
    return await service.detail(session, alert)


@router.post(
    "/{alert_id:int}/ack",
    response_model=AlertRead,
    summary="Acknowledge a firing alert: no more repeats (the resolution is still sent)",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def acknowledge(
    actor: OperatorUser, alert: AlertDep, session: SessionDep, ip: ClientIP
) -> AlertRead:
    read = await service.acknowledge(session, alert, actor)
    audit.record(session, actor, "alert.acked", object_type="alert", object_id=alert.id, ip=ip)
    return read


@router.post(
    "/{alert_id:int}/silence",
    response_model=AlertRead,
    summary="Silence a firing alert for a while: no notification until then",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def silence(
    actor: OperatorUser,
    alert: AlertDep,
    body: SilenceRequest,
    session: SessionDep,
    ip: ClientIP,
) -> AlertRead:
    read = await service.silence(session, alert, body.minutes)
    audit.record(
        session,
        actor,
        "alert.silenced",
        object_type="alert",
        object_id=alert.id,
        detail={"minutes": body.minutes},
        ip=ip,
    )
    return read
