"""Status sync: ask Evolution for the live state of one, some or all instances.

Three phases, so the database is never held while waiting for Evolution:

1. :func:`load_targets` reads the instances and their servers;
2. :func:`probe` asks Evolution, ``settings.status_sync_concurrency`` instances at a
   time: ``connectionState`` and, when a drift check is due, ``webhook/find`` (in
   parallel), plus one ``fetchInstances`` per server for the profile fields. Webhooks
   rarely change, so by default an instance's webhook is checked when its last check
   is older than :data:`WEBHOOK_CHECK_INTERVAL` (or on demand). The first instance whose server
   cannot be reached (or times out) marks that server down; its other instances are not
   asked and become ``unreachable``; the other servers go on;
3. :func:`apply` writes the results: transitions (``connection_event``), profile,
   webhook drift, last error, the server's reachability; one result per instance.

:func:`scheduled_sync` runs it every ``status_sync_interval_seconds`` (0: never), once
across all processes (the periodic task ``status_sync`` of :mod:`evodash.schedule`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.errors import AppError
from evodash.evolution import (
    EvolutionClient,
    EvolutionError,
    EvolutionNotFound,
    EvolutionTimeout,
    EvolutionUnreachable,
    InstanceInfo,
    WebhookInfo,
)
from evodash.instances import state
from evodash.instances.models import ConnectionSource, EvolutionInstance, InstanceStatus
from evodash.instances.repository import InstanceRepository
from evodash.instances.schemas import SyncItemRead, SyncReportRead
from evodash.instances.state import Observation
from evodash.instances.webhook_setup import webhook_drift
from evodash.servers import service as servers
from evodash.servers.models import EvolutionServer
from evodash.servers.repository import ServerRepository

if TYPE_CHECKING:
    from evodash.core.services import Services

log = structlog.get_logger(__name__)

_DOWN = (EvolutionUnreachable, EvolutionTimeout)
#: With ``check_webhook=None`` (the default), look for webhook drift this often.
WEBHOOK_CHECK_INTERVAL = timedelta(minutes=15)


@dataclass(frozen=True)
class Target:
    instance_id: int
    name: str
    server_id: int
    check_webhook: bool = True


@dataclass
class Probe:
    target: Target
    state: str | None = None
    error: AppError | None = None
    webhook: WebhookInfo | None = None
    webhook_checked: bool = False


@dataclass
class ServerProbe:
    server_id: int
    client: EvolutionClient | None
    error: AppError | None = None
    down: EvolutionError | None = None
    profiles: dict[str, InstanceInfo] = field(default_factory=dict)
    answered: bool = False


# --- 1. load ---------------------------------------------------------------------------------


def _webhook_due(instance: EvolutionInstance, check_webhook: bool | None) -> bool:
    if check_webhook is not None:
        return check_webhook
    checked = instance.webhook_checked_at
    return checked is None or utcnow() - checked >= WEBHOOK_CHECK_INTERVAL


async def load_targets(
    session: AsyncSession,
    instance_ids: Sequence[int] | None = None,
    *,
    check_webhook: bool | None = None,
) -> tuple[list[Target], dict[int, EvolutionServer]]:
    """Live instances to sync; ``check_webhook``: True always, False never, None when due."""
    instances = await InstanceRepository(session).live(instance_ids)
    targets = [Target(i.id, i.name, i.server_id, _webhook_due(i, check_webhook)) for i in instances]
    server_map = await ServerRepository(session).by_ids([t.server_id for t in targets])
    return targets, server_map


# --- 2. probe (no database) ------------------------------------------------------------------


def _server_probe(
    http: httpx.AsyncClient, settings: Settings, server: EvolutionServer, retries: int
) -> ServerProbe:
    try:
        return ServerProbe(server.id, servers.client_for(http, server, settings, retries=retries))
    except AppError as exc:  # the stored key cannot be decrypted
        return ServerProbe(server.id, None, error=exc)


async def _ask(target: Target, client: EvolutionClient) -> tuple[Any, Any]:
    """``connectionState`` and, when due, ``webhook/find`` at the same time; errors are
    returned, not raised."""
    if not target.check_webhook:
        try:
            return await client.connection_state(target.name), None
        except EvolutionError as exc:
            return exc, None
    state, hook = await asyncio.gather(
        client.connection_state(target.name),
        client.find_webhook(target.name),
        return_exceptions=True,
    )
    for answer in (state, hook):
        if isinstance(answer, BaseException) and not isinstance(answer, EvolutionError):
            raise answer
    return state, hook


async def _probe_one(target: Target, sp: ServerProbe, semaphore: asyncio.Semaphore) -> Probe:
    async with semaphore:
        if sp.client is None or sp.down is not None:
            return Probe(target, error=sp.error or sp.down)
        state, hook = await _ask(target, sp.client)
    if isinstance(state, EvolutionError):
        if isinstance(state, _DOWN) and sp.down is None:
            sp.down = state
        return Probe(target, error=state)
    sp.answered = True
    result = Probe(target, state=state.state or "close")
    if target.check_webhook and not isinstance(hook, EvolutionError):
        result.webhook, result.webhook_checked = hook, True
    return result


async def _profiles(sp: ServerProbe, names: list[str]) -> None:
    if sp.client is None:
        return
    try:
        found = await sp.client.fetch_instances(names[0] if len(names) == 1 else None)
    except EvolutionError:
        return  # only nice-to-have fields; the per-instance results carry the errors
    sp.profiles = {info.name: info for info in found}


async def probe(
    http: httpx.AsyncClient,
    settings: Settings,
    targets: Sequence[Target],
    server_map: dict[int, EvolutionServer],
    *,
    retries: int = 0,
) -> tuple[list[Probe], dict[int, ServerProbe]]:
    """Ask Evolution about every target, ``status_sync_concurrency`` instances at a time."""
    probes = {
        sid: _server_probe(http, settings, server, retries) for sid, server in server_map.items()
    }
    semaphore = asyncio.Semaphore(settings.status_sync_concurrency)
    by_server: dict[int, list[str]] = {}
    for t in targets:
        by_server.setdefault(t.server_id, []).append(t.name)
    async with asyncio.TaskGroup() as group:
        for sid, names in by_server.items():
            group.create_task(_profiles(probes[sid], names))
        tasks = [group.create_task(_probe_one(t, probes[t.server_id], semaphore)) for t in targets]
    return [task.result() for task in tasks], probes


# --- 3. apply --------------------------------------------------------------------------------


def _observed(current: str, state: str) -> InstanceStatus:
    if state in ("open", "connecting"):
        return InstanceStatus(state)
    # "close" says less than "never connected yet" or "gave up after the QR limit".
    if current in (InstanceStatus.created.value, InstanceStatus.refused.value):
        return InstanceStatus(current)
    return InstanceStatus.close


def _profile(instance: EvolutionInstance, info: InstanceInfo | None) -> dict[str, Any]:
    """What ``fetchInstances`` tells of the profile (only what it knows)."""
    if info is None:
        return {}
    found = {
        "owner_jid": info.owner_jid,
        "profile_name": info.profile_name,
        "profile_picture_url": info.profile_pic_url,
    }
    return {k: v for k, v in found.items() if v is not None}


def _apply_one(
    session: AsyncSession,
    settings: Settings,
    instance: EvolutionInstance,
    result: Probe,
    sp: ServerProbe,
) -> SyncItemRead:
    previous = instance.status
    now = utcnow()
    instance.last_status_sync_at = now
    error = result.error
    dirty = False
    if error is None:
        assert result.state is not None
        info = sp.profiles.get(instance.name)
        change = state.apply(
            session,
            instance,
            Observation(
                source=ConnectionSource.sync,
                at=now,
                state=_observed(previous, result.state),
                profile=_profile(instance, info),
                evolution_id=info.id if info is not None else None,
                note=None,
            ),
        )
        if result.webhook_checked:
            drift = webhook_drift(settings, instance, result.webhook)
            dirty = drift != instance.webhook_drift
            instance.webhook_drift = drift
            instance.webhook_checked_at = now
    else:
        if isinstance(error, _DOWN):
            new = InstanceStatus.unreachable
        elif isinstance(error, EvolutionNotFound):
            new = InstanceStatus.close
        else:
            new = InstanceStatus(previous)
        change = state.apply(
            session,
            instance,
            Observation(
                source=ConnectionSource.sync,
                at=now,
                state=new,
                detail=error.detail[:500],
                note=error.detail,
            ),
        )
    if dirty and not (change.changed or change.transition):
        change = replace(change, changed=True)
    state.announce(session, instance, change)
    return SyncItemRead(
        instance_id=instance.id,
        name=instance.name,
        ok=error is None,
        status=InstanceStatus(instance.status),
        previous_status=InstanceStatus(previous),
        changed=change.transition is not None,
        webhook_drift=instance.webhook_drift,
        error=error.code if error else None,
        detail=error.detail if error else None,
    )


async def apply(
    session: AsyncSession,
    settings: Settings,
    probes: Sequence[Probe],
    server_probes: dict[int, ServerProbe],
    started: float,
) -> SyncReportRead:
    """Write the results. The rows are read again, locked (the probes took time, and a
    webhook may have changed an instance meanwhile); instances deleted meanwhile are
    skipped."""
    rows = await InstanceRepository(session).lock_live([p.target.instance_id for p in probes])
    server_rows = await ServerRepository(session).by_ids(list(server_probes))
    items = [
        _apply_one(
            session, settings, rows[p.target.instance_id], p, server_probes[p.target.server_id]
        )
        for p in probes
        if p.target.instance_id in rows  # deleted meanwhile
    ]
    for sid, sp in server_probes.items():
        server = server_rows.get(sid)
        if server is None:
            continue
        server.last_checked_at = utcnow()
        if sp.down is not None:
            server.is_reachable, server.last_error = False, sp.down.detail
        elif sp.answered:
            server.is_reachable, server.last_error = True, None
    await session.flush()
    ok = sum(1 for i in items if i.ok)
    return SyncReportRead(
        items=items,
        total=len(items),
        succeeded=ok,
        failed=len(items) - ok,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )


async def sync_instances(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance_ids: Sequence[int] | None = None,
    *,
    check_webhook: bool | None = None,
    retries: int = 0,
) -> SyncReportRead:
    """Sync in one session (a request's): load, probe, apply. Flushes, never commits."""
    started = time.perf_counter()
    targets, server_map = await load_targets(session, instance_ids, check_webhook=check_webhook)
    probes, server_probes = await probe(http, settings, targets, server_map, retries=retries)
    return await apply(session, settings, probes, server_probes, started)


# --- periodic --------------------------------------------------------------------------------


async def sync_all_once(
    sessionmaker: async_sessionmaker[AsyncSession], http: httpx.AsyncClient, settings: Settings
) -> SyncReportRead:
    """One background round: short transactions around the Evolution calls, retried reads."""
    started = time.perf_counter()
    async with sessionmaker() as session:
        targets, server_map = await load_targets(session)
    probes, server_probes = await probe(
        http, settings, targets, server_map, retries=settings.evolution_read_retries
    )
    async with sessionmaker() as session:
        report = await apply(session, settings, probes, server_probes, started)
        await session.commit()
    return report


async def scheduled_sync(services: Services) -> SyncReportRead:
    """The periodic task ``status_sync`` (:mod:`evodash.schedule`): one round, logged."""
    report = await sync_all_once(services.sessionmaker, services.http, services.settings)
    log.info(
        "instances.periodic_sync",
        total=report.total,
        failed=report.failed,
        duration_ms=report.duration_ms,
    )
    return report
