"""Evolution servers: registration, the encrypted global key, connection tests, deletion.

Other domains build their Evolution clients here (:func:`client_for`), so the key is
decrypted in one place. Services flush, never commit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.security import decrypt, encrypt, last4
from evodash.evolution import (
    EvolutionClient,
    EvolutionError,
    EvolutionNotFound,
    EvolutionUnauthorized,
    ServerInfo,
)
from evodash.realtime import emit
from evodash.realtime.events import (
    InstanceDeletedEvent,
    InstanceRef,
    ServerCreatedEvent,
    ServerDeletedEvent,
    ServerGone,
    ServerRef,
    ServerUpdatedEvent,
)
from evodash.servers.errors import (
    ServerHasInstances,
    ServerKeyUnreadable,
    ServerNameTaken,
    ServerNotFound,
    ServerUrlTaken,
)
from evodash.servers.models import EvolutionServer
from evodash.servers.repository import ServerRepository
from evodash.servers.schemas import ServerCreate, ServerRead, ServerTestResult, ServerUpdate
from evodash.teams.scope import EVERYTHING, Scope
from evodash.users import audit
from evodash.users.models import User

log = structlog.get_logger(__name__)


# --- Evolution clients ---------------------------------------------------------------------


def api_key_of(server: EvolutionServer, settings: Settings) -> str:
    try:
        return decrypt(server.api_key_encrypted, secret=settings.secret())
    except ValueError as exc:
        raise ServerKeyUnreadable(server.name) from exc


def client_for_url(
    http: httpx.AsyncClient, base_url: str, api_key: str, settings: Settings, *, retries: int = 0
) -> EvolutionClient:
    """A client with the app's timeouts. ``retries`` (idempotent reads only) defaults to 0:
    a user waiting for an answer gets it within the configured timeout."""
    return EvolutionClient(
        http,
        base_url,
        api_key,
        timeout=settings.evolution_timeout_seconds,
        connect_timeout=settings.evolution_connect_timeout_seconds,
        read_retries=retries,
    )


def client_for(
    http: httpx.AsyncClient, server: EvolutionServer, settings: Settings, *, retries: int = 0
) -> EvolutionClient:
    """The Evolution client of ``server`` with its global key."""
    return client_for_url(
        http, server.base_url, api_key_of(server, settings), settings, retries=retries
    )


# --- reads -----------------------------------------------------------------------------------


async def get_server(session: AsyncSession, server_id: int) -> EvolutionServer:
    server = await ServerRepository(session).get(server_id)
    if server is None:
        raise ServerNotFound()
    return server


def to_read(server: EvolutionServer, instance_count: int = 0) -> ServerRead:
    read = ServerRead.model_validate(server)
    read.instance_count = instance_count
    return read


async def read_server(
    session: AsyncSession, server: EvolutionServer, scope: Scope = EVERYTHING
) -> ServerRead:
    counts = await ServerRepository(session).instance_counts([server.id], scope)
    return to_read(server, counts[server.id][0])


async def list_servers(
    session: AsyncSession, *, offset: int, limit: int, scope: Scope = EVERYTHING
) -> tuple[list[ServerRead], int]:
    repo = ServerRepository(session)
    rows, total = await repo.page(offset=offset, limit=limit, scope=scope)
    counts = await repo.instance_counts([s.id for s in rows], scope)
    return [to_read(s, counts[s.id][0]) for s in rows], total


# --- writes ----------------------------------------------------------------------------------


async def _ensure_unique(
    repo: ServerRepository, *, name: str | None, base_url: str | None, exclude: int | None
) -> None:
    if name is not None:
        other = await repo.by_name(name)
        if other is not None and other.id != exclude:
            raise ServerNameTaken(name)
    if base_url is not None:
        other = await repo.by_url(base_url)
        if other is not None and other.id != exclude:
            raise ServerUrlTaken(base_url)


async def _flush(session: AsyncSession, name: str, base_url: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request registered the same server
        raise ServerUrlTaken(base_url) if "url" in str(exc.orig) else ServerNameTaken(name) from exc


async def create_server(
    session: AsyncSession,
    data: ServerCreate,
    settings: Settings,
    *,
    actor: User | None,
    ip: str | None,
    via: str = "servers",
) -> EvolutionServer:
    repo = ServerRepository(session)
    await _ensure_unique(repo, name=data.name, base_url=data.base_url, exclude=None)
    key = data.api_key.get_secret_value()
    server = EvolutionServer(
        name=data.name,
        base_url=data.base_url,
        api_key_encrypted=encrypt(key, secret=settings.secret()),
        api_key_last4=last4(key),
    )
    repo.add(server)
    await _flush(session, data.name, data.base_url)
    audit.record(
        session,
        actor,
        "server.created",
        object_type="server",
        object_id=server.id,
        detail={"name": server.name, "base_url": server.base_url, "via": via},
        ip=ip,
    )
    emit(session, ServerCreatedEvent(data=ServerRef(id=server.id, name=server.name)))
    return server


async def unique_name_for(session: AsyncSession, base_url: str) -> str:
    """A free server name derived from the URL's host (``evo.example.com``, ``… (2)``)."""
    parts = urlsplit(base_url)
    base = (parts.netloc + parts.path)[:90] or "Evolution"
    repo = ServerRepository(session)
    name, n = base, 1
    while await repo.by_name(name) is not None:
        n += 1
        name = f"{base} ({n})"
    return name


async def update_server(
    session: AsyncSession,
    server: EvolutionServer,
    data: ServerUpdate,
    settings: Settings,
    *,
    actor: User,
    ip: str | None,
) -> EvolutionServer:
    changes = data.model_dump(exclude_unset=True)
    repo = ServerRepository(session)
    await _ensure_unique(
        repo, name=changes.get("name"), base_url=changes.get("base_url"), exclude=server.id
    )
    if "name" in changes:
        server.name = changes["name"]
    if "base_url" in changes:
        server.base_url = changes["base_url"]
    if data.api_key is not None:
        key = data.api_key.get_secret_value()
        server.api_key_encrypted = encrypt(key, secret=settings.secret())
        server.api_key_last4 = last4(key)
    if {"base_url", "api_key"} & changes.keys():
        # The last check was about another server or key.
        server.is_reachable = None
        server.last_error = None
    await _flush(session, server.name, server.base_url)
    audit.record(
        session,
        actor,
        "server.updated",
        object_type="server",
        object_id=server.id,
        # Never the key itself: only that it changed.
        detail={k: ("(changed)" if k == "api_key" else str(v)) for k, v in changes.items()},
        ip=ip,
    )
    emit(session, ServerUpdatedEvent(data=ServerRef(id=server.id, name=server.name)))
    return server


async def delete_server(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    server: EvolutionServer,
    *,
    remove_instances: bool,
    force: bool,
    actor: User,
    ip: str | None,
) -> None:
    """Delete ``server``; with ``remove_instances`` its instances too, on Evolution first.

    If an Evolution delete fails (and not ``force``), nothing changes in the database and
    the error says which instance failed; deleting again is safe (already-gone instances
    count as deleted).
    """
    repo = ServerRepository(session)
    live, deleted = (await repo.instance_counts([server.id]))[server.id]
    if (live or deleted) and not remove_instances:
        raise ServerHasInstances(live, deleted)
    instances = await repo.live_instances(server.id) if live else []
    if instances:
        client = client_for(http, server, settings)
        failures = await _delete_on_evolution(client, [i.name for i in instances], settings)
        if failures and not force:
            name, error = failures[0]
            raise type(error)(
                f"Could not delete instance {name!r} on Evolution ({len(failures)} of "
                f"{len(instances)} failed; nothing was deleted here): {error.detail}",
                evolution_status=error.evolution_status,
                evolution_message=error.evolution_message,
            )
    for instance in instances:
        emit(
            session,
            InstanceDeletedEvent(data=InstanceRef(id=instance.id, server_id=server.id)),
        )
    await repo.delete_instances(server.id)
    await repo.delete(server)
    await session.flush()
    audit.record(
        session,
        actor,
        "server.deleted",
        object_type="server",
        object_id=server.id,
        detail={
            "name": server.name,
            "instances_removed": live,
            "deleted_instances_removed": deleted,
            "force": force,
        },
        ip=ip,
    )
    emit(session, ServerDeletedEvent(data=ServerGone(id=server.id)))


async def _delete_on_evolution(
    client: EvolutionClient, names: Sequence[str], settings: Settings
) -> list[tuple[str, EvolutionError]]:
    semaphore = asyncio.Semaphore(settings.status_sync_concurrency)

    async def one(name: str) -> tuple[str, EvolutionError] | None:
        async with semaphore:
            try:
                await client.delete(name)
            except EvolutionNotFound:
                return None  # already gone: that is what we want
            except EvolutionError as exc:
                return name, exc
            return None

    results = await asyncio.gather(*(one(n) for n in names))
    return [r for r in results if r is not None]


# --- connection tests ------------------------------------------------------------------------


async def check_connection(client: EvolutionClient) -> ServerTestResult:
    """``GET /`` (reachability, versions), then ``fetchInstances`` (is the key valid?).

    An unreachable server, a timeout or a non-Evolution answer raise (502/504); a server
    that answers but rejects the key is reported with ``api_key_valid=false``.
    """
    started = time.perf_counter()
    info: ServerInfo = await client.root()
    key_valid, count, detail = True, None, ""
    try:
        count = len(await client.fetch_instances())
    except EvolutionUnauthorized as exc:
        key_valid, detail = False, exc.detail
    latency = round((time.perf_counter() - started) * 1000, 1)
    if key_valid:
        detail = f"Evolution API {info.version} answered; the API key works ({count} instances)."
    return ServerTestResult(
        reachable=True,
        version=info.version,
        whatsapp_web_version=info.whatsapp_web_version,
        client_name=info.client_name,
        api_key_valid=key_valid,
        instance_count=count,
        detail=detail,
        latency_ms=latency,
    )


def record_check(
    server: EvolutionServer,
    *,
    result: ServerTestResult | None = None,
    error: EvolutionError | None = None,
) -> None:
    """Keep what a check (a test, or a status sync) saw of the server."""
    server.last_checked_at = utcnow()
    if result is not None:
        server.is_reachable = True
        server.version = result.version
        server.whatsapp_web_version = result.whatsapp_web_version
        server.last_error = None if result.api_key_valid else result.detail
    elif error is not None:
        server.is_reachable = isinstance(error, EvolutionUnauthorized)
        server.last_error = error.detail


async def check_saved_server(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    settings: Settings,
    server: EvolutionServer,
    *,
    actor: User,
    ip: str | None,
) -> ServerTestResult:
    try:
        result = await check_connection(client_for(http, server, settings))
    except EvolutionError as exc:
        # The request's transaction is rolled back with the error; the observation is
        # still worth keeping, in its own short transaction.
        async with sessionmaker() as own:
            stored = await own.get(EvolutionServer, server.id)
            if stored is not None:
                record_check(stored, error=exc)
                await own.commit()
        raise
    record_check(server, result=result)
    audit.record(
        session,
        actor,
        "server.tested",
        object_type="server",
        object_id=server.id,
        detail={"version": result.version, "api_key_valid": result.api_key_valid},
        ip=ip,
    )
    emit(session, ServerUpdatedEvent(data=ServerRef(id=server.id, name=server.name)))
    return result
