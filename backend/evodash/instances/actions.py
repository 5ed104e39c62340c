"""Connection actions on an instance: connect, disconnect, restart, re-apply the webhook,
and its Evolution settings. Each action is audited; each state change becomes a
``connection_event`` (via :mod:`evodash.instances.state`).
"""

from __future__ import annotations

import asyncio
import base64
import io
from dataclasses import replace

import httpx
import segno
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.evolution import (
    ConnectOutcome as EvoOutcome,
)
from evodash.evolution import (
    ConnectResult,
    EvolutionClient,
    EvolutionRejected,
    InstanceSettings,
    WebhookInfo,
)
from evodash.instances import state
from evodash.instances.errors import InstanceDeleted, InstanceNotConnected, PairingNeedsNumber
from evodash.instances.history import notify_updated
from evodash.instances.models import ConnectionSource, EvolutionInstance, InstanceStatus
from evodash.instances.repository import InstanceRepository
from evodash.instances.schemas import (
    ConnectOutcome,
    ConnectRead,
    ConnectRequest,
    InstanceRead,
    InstanceSettingsRead,
    InstanceSettingsWrite,
)
from evodash.instances.service import client_for_instance
from evodash.instances.state import UNSET, Observation, Qr
from evodash.instances.webhook_setup import webhook_config, webhook_drift
from evodash.users import audit
from evodash.users.models import User

#: How long to wait before asking again when Evolution had no QR code yet.
NO_QR_RETRY_SECONDS = 3

_MESSAGES = {
    ConnectOutcome.qr_code: "Scan the QR code with WhatsApp (Linked devices).",
    ConnectOutcome.pairing_code: "On the phone, choose 'Link with phone number' and type "
    "the pairing code.",
    ConnectOutcome.already_open: "The instance is already connected.",
    ConnectOutcome.no_qr_yet: "Evolution has no QR code yet; try again in a few seconds.",
}


def _qr_png_data_url(code: str) -> str:
    out = io.BytesIO()
    segno.make(code, error="h", micro=False).save(out, kind="png", scale=4, border=3)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


async def _qr_image(result: ConnectResult) -> str | None:
    if result.base64:
        if result.base64.startswith("data:"):
            return result.base64
        return "data:image/png;base64," + result.base64
    if result.code:
        return await asyncio.to_thread(_qr_png_data_url, result.code)
    return None


async def _relock(session: AsyncSession, instance: EvolutionInstance) -> None:
    """Before writing what an Evolution call changed: take the row's lock and read its
    state again (the call itself may have sent a webhook that moved it already)."""
    if instance.id not in await InstanceRepository(session).lock_live([instance.id]):
        raise InstanceDeleted()


def _pairing_number(instance: EvolutionInstance, data: ConnectRequest) -> str | None:
    number = data.phone_number or instance.phone_number
    if data.method == "qr_code":
        return None
    if data.method == "pairing_code" and not number:
        raise PairingNeedsNumber()
    return number


def _audit(
    session: AsyncSession,
    actor: User,
    action: str,
    instance: EvolutionInstance,
    ip: str | None,
    **detail: object,
) -> None:
    audit.record(
        session,
        actor,
        f"instance.{action}",
        object_type="instance",
        object_id=instance.id,
        detail={"name": instance.name, **detail},
        ip=ip,
    )


async def connect(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance: EvolutionInstance,
    data: ConnectRequest,
    *,
    actor: User,
    ip: str | None,
) -> ConnectRead:
    """Start pairing: a QR code (PNG data URL), a pairing code, "already open", or "no QR
    yet" (Evolution's ``{"count": 0}``: ask again after ``retry_after_seconds``)."""
    number = _pairing_number(instance, data)
    client = await client_for_instance(session, http, settings, instance)
    result = await client.connect(instance.name, number=number)
    outcome = ConnectOutcome(result.outcome.value)
    qr = await _qr_image(result)
    await _relock(session, instance)
    if result.outcome is EvoOutcome.ALREADY_OPEN:
        observation = Observation(
            source=ConnectionSource.action, at=utcnow(), state=InstanceStatus.open, note=None
        )
    else:
        shown = qr or result.pairing_code
        observation = Observation(
            source=ConnectionSource.action,
            at=utcnow(),
            state=InstanceStatus.connecting,
            qr=Qr(qr, result.code, result.pairing_code) if shown else UNSET,
            profile={"phone_number": data.phone_number} if data.phone_number else {},
            note=None,
        )
    change = state.apply(session, instance, observation)
    if result.outcome is not EvoOutcome.ALREADY_OPEN and not change.transition:
        change = replace(change, changed=True)  # the dialog's instance is shown again
    state.announce(session, instance, change)
    _audit(session, actor, "connect", instance, ip, outcome=outcome.value, pairing=bool(number))
    await session.flush()
    return ConnectRead(
        outcome=outcome,
        qr_code=qr,
        pairing_code=result.pairing_code,
        count=result.count,
        retry_after_seconds=NO_QR_RETRY_SECONDS if outcome is ConnectOutcome.no_qr_yet else None,
        message=_MESSAGES[outcome],
        instance=InstanceRead.model_validate(instance),
    )


async def disconnect(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance: EvolutionInstance,
    *,
    actor: User,
    ip: str | None,
) -> str:
    """Log out of WhatsApp (the instance stays, and can be paired again)."""
    client = await client_for_instance(session, http, settings, instance)
    message = await logout_remote(client, instance.name)
    await record_disconnect(session, instance, actor=actor, ip=ip)
    return message


#: What :func:`logout_remote` answers when the instance was not connected.
NOT_CONNECTED = "The instance was not connected."


async def logout_remote(client: EvolutionClient, name: str) -> str:
    """The Evolution half of a disconnect (no database): its message."""
    try:
        await client.logout(name)
    except EvolutionRejected as exc:
        # 400 "is not connected": the wanted end state already holds.
        if exc.evolution_status != 400 or "not connected" not in (exc.evolution_message or ""):
            raise
        return NOT_CONNECTED
    return "Disconnected from WhatsApp."


async def record_disconnect(
    session: AsyncSession, instance: EvolutionInstance, *, actor: User, ip: str | None
) -> None:
    """The database half of a disconnect: the instance is closed."""
    await _relock(session, instance)
    state.observe(
        session,
        instance,
        Observation(
            source=ConnectionSource.action,
            at=utcnow(),
            state=InstanceStatus.close,
            detail="logout",
            qr=None,
        ),
    )
    _audit(session, actor, "disconnect", instance, ip)
    await session.flush()


async def restart(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance: EvolutionInstance,
    *,
    actor: User,
    ip: str | None,
) -> str:
    """Reconnect the socket (needed after changing base64, always-online or full history)."""
    client = await client_for_instance(session, http, settings, instance)
    await restart_remote(client, instance.name)
    return await record_restart(session, instance, actor=actor, ip=ip)


async def restart_remote(client: EvolutionClient, name: str) -> None:
    """The Evolution half of a restart (no database). Evolution refuses to restart a
    closed instance: connect it instead."""
    try:
        await client.restart(name)
    except EvolutionRejected as exc:
        # Evolution's answer to restarting a closed instance is a 200 `{"error": true}`
        # without a message: a state conflict, not a failure of the server.
        if exc.evolution_status != 200:
            raise
        raise InstanceNotConnected() from exc


async def record_restart(
    session: AsyncSession, instance: EvolutionInstance, *, actor: User, ip: str | None
) -> str:
    """The database half of a restart: the instance is connecting."""
    await _relock(session, instance)
    state.observe(
        session,
        instance,
        Observation(
            source=ConnectionSource.action,
            at=utcnow(),
            state=InstanceStatus.connecting,
            detail="restart",
        ),
    )
    _audit(session, actor, "restart", instance, ip)
    await session.flush()
    return "Restarting: the instance reconnects in a few seconds."


async def apply_webhook(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance: EvolutionInstance,
    *,
    actor: User,
    ip: str | None,
) -> str:
    """Point the instance's webhook at evodash again (after drift, or a new public URL)."""
    client = await client_for_instance(session, http, settings, instance)
    stored = await client.set_webhook(instance.name, webhook_config(settings, instance))
    return await record_webhook(session, settings, instance, stored, actor=actor, ip=ip)


async def record_webhook(
    session: AsyncSession,
    settings: Settings,
    instance: EvolutionInstance,
    stored: WebhookInfo,
    *,
    actor: User,
    ip: str | None,
) -> str:
    """The database half of re-applying the webhook: its drift as Evolution now holds it."""
    previous = instance.webhook_drift
    instance.webhook_drift = webhook_drift(settings, instance, stored)
    instance.webhook_checked_at = utcnow()
    notify_updated(session, instance)
    _audit(session, actor, "webhook_applied", instance, ip, previous_drift=previous)
    await session.flush()
    if previous and "base64" in previous and instance.status == InstanceStatus.open.value:
        return "Webhook configured. Restart the instance so media base64 takes effect."
    return "Webhook configured."


async def read_settings(
    session: AsyncSession, http: httpx.AsyncClient, settings: Settings, instance: EvolutionInstance
) -> InstanceSettingsRead:
    client = await client_for_instance(session, http, settings, instance)
    found = await client.find_settings(instance.name)
    return _to_read(found or InstanceSettings())


async def write_settings(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance: EvolutionInstance,
    data: InstanceSettingsWrite,
    *,
    actor: User,
    ip: str | None,
) -> InstanceSettingsRead:
    client = await client_for_instance(session, http, settings, instance)
    wanted = InstanceSettings(
        reject_call=data.reject_call,
        msg_call=data.msg_call,
        groups_ignore=data.groups_ignore,
        always_online=data.always_online,
        read_messages=data.read_messages,
        read_status=data.read_status,
        sync_full_history=data.sync_full_history,
    )
    stored = await client.set_settings(instance.name, wanted)
    _audit(session, actor, "settings_changed", instance, ip, **data.model_dump())
    await session.flush()
    return _to_read(stored)


def _to_read(found: InstanceSettings) -> InstanceSettingsRead:
    return InstanceSettingsRead(
        reject_call=found.reject_call,
        msg_call=found.msg_call or "",
        groups_ignore=found.groups_ignore,
        always_online=found.always_online,
        read_messages=found.read_messages,
        read_status=found.read_status,
        sync_full_history=found.sync_full_history,
    )
