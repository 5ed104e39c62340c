"""Rules of the alerts domain behind the API: reading alerts, acknowledging and silencing
them, editing rules, managing channels and sending test alerts. (The checks themselves
are :mod:`evodash.alerts.engine`.) Services flush, never commit."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.alerts import channels
from evodash.alerts.errors import (
    AlertNotFiring,
    AlertNotFound,
    ChannelNameTaken,
    ChannelNotFound,
    ChannelRefused,
    RuleParamsRefused,
)
from evodash.alerts.models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    AlertRule,
    AlertState,
    ChannelKind,
    NoticeKind,
    RuleKind,
)
from evodash.alerts.repository import AlertFilter, AlertRepository
from evodash.alerts.rules import PARAMS, clean_params, defaults, effective
from evodash.alerts.schemas import (
    AlertDetail,
    AlertRead,
    AlertSummary,
    ChannelConfig,
    ChannelCreate,
    ChannelRead,
    ChannelResult,
    ChannelUpdate,
    DeliveryRead,
    RuleRead,
    RuleUpdate,
)
from evodash.core import outbound
from evodash.core.config import Settings
from evodash.core.db import end_reads, utcnow
from evodash.core.schemas import Page
from evodash.core.security import encrypt
from evodash.instances.models import EvolutionInstance
from evodash.realtime import emit
from evodash.realtime.events import AlertAckedEvent
from evodash.teams.scope import Scope
from evodash.users.models import User

# --- alerts -------------------------------------------------------------------------------


async def get_alert(session: AsyncSession, alert_id: int, scope: Scope) -> Alert:
    """The alert, if ``scope`` sees its subject (else 404, as if it did not exist)."""
    alert = await AlertRepository(session).get(alert_id)
    if alert is None or alert.state == AlertState.pending.value:
        raise AlertNotFound()
    if not scope.sees(alert.scope_subject):
        raise AlertNotFound()
    return alert


async def list_alerts(
    session: AsyncSession, f: AlertFilter, *, page: int, page_size: int
) -> Page[AlertRead]:
    rows, total = await AlertRepository(session).page(
        f, offset=(page - 1) * page_size, limit=page_size
    )
    return Page[AlertRead](
        items=[AlertRead.model_validate(a) for a in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


async def detail(session: AsyncSession, alert: Alert) -> AlertDetail:
    deliveries = await AlertRepository(session).deliveries(alert.id)
    return AlertDetail(
        **AlertRead.model_validate(alert).model_dump(),
        deliveries=[DeliveryRead.model_validate(d) for d in deliveries],
    )


async def summary(session: AsyncSession, scope: Scope) -> AlertSummary:
    counts = await AlertRepository(session).firing_counts(scope.instance_ids, scope.server_ids)
    return AlertSummary(
        firing=sum(n for n, _ in counts.values()),
        unacknowledged=sum(u for _, u in counts.values()),
        by_rule={rule: n for rule, (n, _) in counts.items()},
    )


def _firing(alert: Alert) -> None:
    if alert.state != AlertState.firing.value:
        raise AlertNotFiring(alert.state)


async def acknowledge(session: AsyncSession, alert: Alert, actor: User) -> AlertRead:
    """Someone is on it: no more repeats (the resolution is still announced)."""
    _firing(alert)
    if alert.acked_at is None:
        alert.acked_at, alert.acked_by = utcnow(), actor.id
        await session.flush()
        emit(session, AlertAckedEvent(data=AlertRead.model_validate(alert)))
    return AlertRead.model_validate(alert)


async def silence(session: AsyncSession, alert: Alert, minutes: int) -> AlertRead:
    _firing(alert)
    alert.silenced_until = utcnow() + timedelta(minutes=minutes)
    await session.flush()
    read = AlertRead.model_validate(alert)
    emit(session, AlertAckedEvent(data=read))
    return read


# --- rules --------------------------------------------------------------------------------


async def list_rules(session: AsyncSession, settings: Settings) -> list[RuleRead]:
    repo = AlertRepository(session)
    rows = await repo.rules()
    counts = await repo.firing_counts()
    out = []
    for kind in RuleKind:
        rule = effective(kind, rows.get(kind.value), settings)
        out.append(
            RuleRead(
                kind=kind,
                enabled=rule.enabled,
                params=rule.params,
                defaults=defaults(kind, settings),
                customized=rule.customized,
                firing=counts.get(kind.value, (0, 0))[0],
            )
        )
    return out


async def update_rule(
    session: AsyncSession, settings: Settings, kind: RuleKind, change: RuleUpdate, actor: User
) -> RuleRead:
    given = change.model_dump(exclude_unset=True, exclude={"enabled"})
    foreign = sorted(k for k, v in given.items() if v is not None and k not in PARAMS[kind])
    if foreign:
        raise RuleParamsRefused(
            f"The {kind.value} rule takes {', '.join(PARAMS[kind])}; not {', '.join(foreign)}.",
            extra={
                "errors": [{"field": f, "message": "not a parameter of this rule"} for f in foreign]
            },
        )
    repo = AlertRepository(session)
    row = await repo.rule(kind.value)
    if row is None:
        row = AlertRule(kind=kind.value, enabled=True, params={})
        session.add(row)
    if change.enabled is not None:
        row.enabled = change.enabled
    row.params = {**(row.params or {}), **clean_params(kind, given)}
    row.updated_by = actor.id
    await session.flush()
    return next(r for r in await list_rules(session, settings) if r.kind == kind)


async def reset_rule(session: AsyncSession, settings: Settings, kind: RuleKind) -> RuleRead:
    row = await AlertRepository(session).rule(kind.value)
    if row is not None:
        await session.delete(row)
        await session.flush()
    return next(r for r in await list_rules(session, settings) if r.kind == kind)


# --- channels -----------------------------------------------------------------------------


def channel_read(channel: AlertChannel) -> ChannelRead:
    return ChannelRead(
        id=channel.id,
        name=channel.name,
        kind=ChannelKind(channel.kind),
        enabled=channel.enabled,
        config=dict(channel.config),
        password_set=bool(channel.secret_encrypted),
        created_at=channel.created_at,
        updated_at=channel.updated_at,
    )


async def get_channel(session: AsyncSession, channel_id: int) -> AlertChannel:
    channel = await AlertRepository(session).channel(channel_id)
    if channel is None:
        raise ChannelNotFound()
    return channel


async def list_channels(session: AsyncSession) -> list[ChannelRead]:
    return [channel_read(c) for c in await AlertRepository(session).channels()]


async def _check_config(session: AsyncSession, settings: Settings, config: ChannelConfig) -> None:
    if config.kind == ChannelKind.webhook:
        try:
            outbound.check_url(config.url, allow_private=settings.forward_allow_private_networks)
        except outbound.DestinationRefused as exc:
            raise ChannelRefused(str(exc)) from exc
    elif config.kind == ChannelKind.whatsapp:
        instance = await session.get(EvolutionInstance, config.instance_id)
        if instance is None or instance.deleted_at is not None:
            raise ChannelRefused(f"No instance with id {config.instance_id}.")


async def _unique_name(session: AsyncSession, name: str, own_id: int | None = None) -> None:
    other = await AlertRepository(session).channel_by_name(name)
    if other is not None and other.id != own_id:
        raise ChannelNameTaken(name)


async def create_channel(
    session: AsyncSession, settings: Settings, data: ChannelCreate
) -> ChannelRead:
    await _check_config(session, settings, data.config)
    name = data.name.strip()
    await _unique_name(session, name)
    channel = AlertChannel(
        name=name,
        kind=data.config.kind.value,
        enabled=data.enabled,
        config=data.config.model_dump(mode="json", exclude={"password"}),
    )
    _keep_password(channel, data.config, settings)
    session.add(channel)
    await session.flush()
    return channel_read(channel)


async def update_channel(
    session: AsyncSession, settings: Settings, channel: AlertChannel, change: ChannelUpdate
) -> ChannelRead:
    if change.name is not None:
        await _unique_name(session, change.name.strip(), channel.id)
        channel.name = change.name.strip()
    if change.enabled is not None:
        channel.enabled = change.enabled
    if change.config is not None:
        if change.config.kind.value != channel.kind:
            raise ChannelRefused("A channel's kind cannot change; create another channel.")
        await _check_config(session, settings, change.config)
        channel.config = change.config.model_dump(mode="json", exclude={"password"})
        _keep_password(channel, change.config, settings)
    await session.flush()
    return channel_read(channel)


def _keep_password(channel: AlertChannel, config: ChannelConfig, settings: Settings) -> None:
    """E-mail: store the password given (encrypted), remove it on null, keep the stored
    one when the configuration leaves it out."""
    if config.kind != ChannelKind.email:
        channel.secret_encrypted = None
        return
    if "password" not in config.model_fields_set:
        return
    password = config.password
    channel.secret_encrypted = (
        encrypt(password.get_secret_value(), secret=settings.secret()) if password else None
    )


async def delete_channel(session: AsyncSession, channel: AlertChannel) -> None:
    await session.delete(channel)
    await session.flush()


async def test_channel(
    session: AsyncSession, http: httpx.AsyncClient, settings: Settings, channel: AlertChannel
) -> ChannelResult:
    """Send a test alert through ``channel`` now (disabled or not) and record the result."""
    target = await channels.target_for(session, http, settings, channel)
    await end_reads(session)  # no transaction held while the channel answers
    notice = channels.Notice(NoticeKind.test, None, settings.public_base_url, utcnow())
    (result,) = await channels.deliver([target], notice, settings.alert_channel_timeout_seconds)
    session.add(
        AlertDelivery(
            alert_id=None,
            channel_id=channel.id,
            channel=channel.name,
            notice=NoticeKind.test.value,
            ok=result.ok,
            error=result.error,
            ms=result.ms,
        )
    )
    await session.flush()
    return result
