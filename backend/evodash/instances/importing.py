"""Import: adopt instances that already exist on an Evolution server.

``fetchInstances`` lists what the server has; the ones evodash does not manage yet can be
adopted. Adopting writes the row (for its id) and points the instance's webhook at us,
exactly as creation does. Each chosen instance succeeds or fails on its own; a failed
one leaves no row behind.
"""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import end_reads, utcnow
from evodash.core.security import encrypt, last4, new_webhook_secret
from evodash.evolution import EvolutionClient, EvolutionError, InstanceInfo
from evodash.instances import state, webhook_secret
from evodash.instances.models import ConnectionSource, EvolutionInstance, InstanceStatus
from evodash.instances.repository import InstanceRepository
from evodash.instances.schemas import (
    ImportableRead,
    ImportItem,
    ImportRequest,
    ImportResultItem,
    ImportResultRead,
    InstanceRead,
)
from evodash.instances.state import Observation
from evodash.instances.webhook_setup import WEBHOOK_EVENTS, webhook_config
from evodash.realtime import emit
from evodash.realtime.events import InstanceCreatedEvent
from evodash.servers import service as servers
from evodash.servers.models import EvolutionServer
from evodash.users import audit
from evodash.users.models import User

_STATES = {"open": InstanceStatus.open, "connecting": InstanceStatus.connecting}
_TOO_LONG = "its name is longer than 64 characters"


def _why_not(info: InstanceInfo, managed: set[str]) -> str | None:
    if info.name in managed:
        return "evodash already manages it"
    if not info.name or len(info.name) > 64:
        return _TOO_LONG
    if info.name in (".", "..") or not info.name.isprintable():
        # Such names make ambiguous URLs on Evolution's own API: not worth the risk.
        return "its name cannot be used safely in Evolution's URLs"
    if info.integration not in (None, "WHATSAPP-BAILEYS"):
        return f"its integration is {info.integration}, not WHATSAPP-BAILEYS"
    return None


async def list_importable(
    session: AsyncSession, http: httpx.AsyncClient, settings: Settings, server: EvolutionServer
) -> list[ImportableRead]:
    remote = await servers.client_for(http, server, settings).fetch_instances()
    managed = await InstanceRepository(session).live_names(server.id)
    return [
        ImportableRead(
            name=info.name,
            evolution_id=info.id,
            connection_status=info.connection_status,
            owner_jid=info.owner_jid,
            profile_name=info.profile_name,
            number=info.number,
            importable=(reason := _why_not(info, managed)) is None,
            reason=reason,
        )
        for info in sorted(remote, key=lambda i: i.name.lower())
    ]


def _new_row(
    server: EvolutionServer,
    info: InstanceInfo,
    item: ImportItem,
    settings: Settings,
    instance_id: int,
) -> EvolutionInstance:
    instance = EvolutionInstance(
        id=instance_id,
        server_id=server.id,
        display_name=item.display_name or info.profile_name or info.name,
        name=info.name,
        evolution_id=info.id,
        status=InstanceStatus.created.value,
        phone_number=info.number,
        owner_jid=info.owner_jid,
        profile_name=info.profile_name,
        profile_picture_url=info.profile_pic_url,
        webhook_events=list(WEBHOOK_EVENTS),
        allowed_numbers=[],
        reply_with_summary=False,
    )
    webhook_secret.seal(instance, new_webhook_secret(), settings.secret())
    if info.token:
        instance.token_encrypted = encrypt(info.token, secret=settings.secret())
        instance.token_last4 = last4(info.token)
    return instance


async def import_instances(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    data: ImportRequest,
    *,
    actor: User,
    ip: str | None,
) -> ImportResultRead:
    """Adopt the chosen instances. Evolution is called with no transaction open: the new
    rows' ids (their webhook URLs) are reserved first, and only the instances whose
    webhook was set are written, afterwards."""
    server = await servers.get_server(session, data.server_id)
    client = servers.client_for(http, server, settings)
    repo = InstanceRepository(session)
    managed = await repo.live_names(server.id)
    await end_reads(session)
    remote = {info.name: info for info in await client.fetch_instances()}
    results: list[ImportResultItem | None] = [None] * len(data.instances)
    chosen: list[tuple[int, ImportItem, InstanceInfo]] = []
    seen: set[str] = set()
    for index, item in enumerate(data.instances):
        info = remote.get(item.name)
        if item.name in seen:
            reason: str | None = "it is listed twice"
        elif info is None:
            reason = "it is not on the Evolution server"
        else:
            reason = _why_not(info, managed)
        seen.add(item.name)
        if reason is not None or info is None:
            results[index] = ImportResultItem(
                name=item.name, ok=False, error="not_importable", detail=f"Cannot import: {reason}."
            )
            continue
        chosen.append((index, item, info))
    ids = await repo.reserve_ids(len(chosen))
    await end_reads(session)
    rows = [
        (index, _new_row(server, info, item, settings, instance_id), info)
        for (index, item, info), instance_id in zip(chosen, ids, strict=True)
    ]
    outcomes = await _set_webhooks(client, settings, [row for _, row, _ in rows])
    adopted = []
    for (index, instance, info), error in zip(rows, outcomes, strict=True):
        if error is not None:
            results[index] = ImportResultItem(
                name=instance.name, ok=False, error=error.code, detail=error.detail
            )
            continue
        session.add(instance)
        adopted.append((index, instance, info))
    await session.flush()
    for index, instance, info in adopted:
        _adopted(session, instance, info, actor, ip)
        results[index] = ImportResultItem(
            name=instance.name,
            ok=True,
            instance=InstanceRead.model_validate(instance),
            detail=_hint(info),
        )
    await session.flush()
    items = [r for r in results if r is not None]
    ok = sum(1 for r in items if r.ok)
    return ImportResultRead(items=items, imported=ok, failed=len(items) - ok)


def _hint(info: InstanceInfo) -> str:
    if info.connection_status in ("open", "connecting"):
        return "Imported. Restart the instance so Evolution starts embedding media in webhooks."
    return "Imported."


def _adopted(
    session: AsyncSession,
    instance: EvolutionInstance,
    info: InstanceInfo,
    actor: User,
    ip: str | None,
) -> None:
    instance.webhook_checked_at = utcnow()
    instance.webhook_drift = None
    state.apply(
        session,
        instance,
        Observation(
            source=ConnectionSource.action,
            at=utcnow(),
            state=_STATES.get(info.connection_status or "", InstanceStatus.close),
            detail="imported",
        ),
    )
    audit.record(
        session,
        actor,
        "instance.imported",
        object_type="instance",
        object_id=instance.id,
        detail={"name": instance.name, "server_id": instance.server_id},
        ip=ip,
    )
    emit(session, InstanceCreatedEvent(data=InstanceRead.model_validate(instance)))


async def _set_webhooks(
    client: EvolutionClient, settings: Settings, instances: list[EvolutionInstance]
) -> list[EvolutionError | None]:
    semaphore = asyncio.Semaphore(settings.status_sync_concurrency)

    async def one(instance: EvolutionInstance) -> EvolutionError | None:
        async with semaphore:
            try:
                await client.set_webhook(instance.name, webhook_config(settings, instance))
            except EvolutionError as exc:
                return exc
            return None

    return list(await asyncio.gather(*(one(i) for i in instances)))
