"""Instance lifecycle: create (all-or-nothing), read, update, delete, import.

Connection actions are in ``actions.py``, status sync in ``sync.py``, the connection
history in ``history.py``. Services flush, never commit; the request commits once.
Every Evolution failure surfaces as an :class:`~evodash.evolution.EvolutionError` (502,
504, 404, 409) raised before anything is kept in the database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.auth.errors import LoginThrottled
from evodash.auth.throttle import LoginThrottle, Throttled
from evodash.core.config import Settings
from evodash.core.db import end_reads, utcnow
from evodash.core.security import constant_time_equals, encrypt, last4, new_webhook_secret
from evodash.evolution import (
    EvolutionClient,
    EvolutionConflict,
    EvolutionError,
    EvolutionNotFound,
    EvolutionTimeout,
)
from evodash.instances import cleanup, state, webhook_secret
from evodash.instances.errors import (
    InstanceDeleted,
    InstanceNameTaken,
    InstanceNotFound,
    ServerRegistrationNeedsAdmin,
)
from evodash.instances.history import notify_updated
from evodash.instances.models import (
    ConnectionEvent,
    ConnectionSource,
    EvolutionInstance,
    InstanceStatus,
)
from evodash.instances.repository import InstanceRepository
from evodash.instances.schemas import InstanceCreate, InstanceRead, InstanceUpdate
from evodash.instances.state import Observation
from evodash.instances.webhook_setup import subscription, webhook_config
from evodash.realtime import emit
from evodash.realtime.events import InstanceCreatedEvent, InstanceDeletedEvent, InstanceRef
from evodash.servers import service as servers
from evodash.servers.errors import ServerKeyMismatch
from evodash.servers.models import EvolutionServer
from evodash.servers.repository import ServerRepository
from evodash.servers.schemas import ServerCreate
from evodash.teams.scope import EVERYTHING, Scope
from evodash.users import audit
from evodash.users.models import Role, User

log = structlog.get_logger(__name__)


# --- lookups and clients ---------------------------------------------------------------------


async def get_instance(
    session: AsyncSession, instance_id: int, *, allow_deleted: bool = False
) -> EvolutionInstance:
    instance = await InstanceRepository(session).get(instance_id)
    if instance is None:
        raise InstanceNotFound()
    if instance.deleted_at is not None and not allow_deleted:
        raise InstanceDeleted()
    return instance


async def client_for_instance(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance: EvolutionInstance,
    *,
    retries: int = 0,
) -> EvolutionClient:
    """The Evolution client for ``instance`` (its server's URL and global key).

    For other domains too (sending messages, downloading media): call the client's
    methods with ``instance.name``.
    """
    server = await servers.get_server(session, instance.server_id)
    return servers.client_for(http, server, settings, retries=retries)


async def list_instances(
    session: AsyncSession,
    *,
    offset: int,
    limit: int,
    server_id: int | None,
    status: Sequence[InstanceStatus] | None,
    search: str | None,
    include_deleted: bool,
    scope: Scope = EVERYTHING,
) -> tuple[Sequence[EvolutionInstance], int]:
    return await InstanceRepository(session).page(
        scope=scope,
        offset=offset,
        limit=limit,
        server_id=server_id,
        status=[s.value for s in status] if status else None,
        search=search,
        include_deleted=include_deleted,
    )


async def list_events(
    session: AsyncSession, instance: EvolutionInstance, *, offset: int, limit: int
) -> tuple[Sequence[ConnectionEvent], int]:
    return await InstanceRepository(session).events(instance.id, offset=offset, limit=limit)


# --- create ----------------------------------------------------------------------------------


async def _check_known_key(
    server: EvolutionServer,
    given: str,
    settings: Settings,
    actor: User,
    throttle: LoginThrottle | None,
) -> None:
    """The key given for an already registered server must be its key.

    The answer (409 or not) tells whether a guess was right, so guesses are throttled per
    user and server like logins, and compared in constant time.
    """
    try:
        reservation = (
            await throttle.reserve_guess("server-key", f"{actor.id}:{server.id}")
            if throttle
            else None
        )
    except Throttled as exc:
        raise LoginThrottled(exc.retry_after) from exc
    if not constant_time_equals(servers.api_key_of(server, settings), given):
        if reservation is not None:
            await reservation.failed()
        raise ServerKeyMismatch(server.base_url)
    if reservation is not None:
        await reservation.succeeded()


@dataclass(frozen=True)
class _Target:
    """Where an instance is created: a registered server, or one to register with it."""

    server: EvolutionServer | None
    register: ServerCreate | None
    client: EvolutionClient


async def _resolve_server(
    session: AsyncSession,
    http: httpx.AsyncClient,
    data: InstanceCreate,
    settings: Settings,
    actor: User,
    throttle: LoginThrottle | None,
) -> _Target:
    """The server to create on (reads only: a new one is registered after Evolution said
    yes, in the same transaction as the instance)."""
    if data.server_id is not None:
        chosen = await servers.get_server(session, data.server_id)
        return _Target(chosen, None, servers.client_for(http, chosen, settings))
    assert data.evolution_url is not None and data.api_key is not None  # the schema checks
    key = data.api_key.get_secret_value()
    server = await ServerRepository(session).by_url(data.evolution_url)
    if server is not None:
        await _check_known_key(server, key, settings, actor, throttle)
        return _Target(server, None, servers.client_for(http, server, settings))
    if Role(actor.role).rank < Role.admin.rank:
        raise ServerRegistrationNeedsAdmin(data.evolution_url)
    new = ServerCreate(
        name=await servers.unique_name_for(session, data.evolution_url),
        base_url=data.evolution_url,
        api_key=data.api_key,
    )
    return _Target(None, new, servers.client_for_url(http, data.evolution_url, key, settings))


async def _insert(session: AsyncSession, instance: EvolutionInstance) -> None:
    InstanceRepository(session).add(instance)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent create took the name first
        raise InstanceNameTaken(instance.name) from exc


async def _forget_on_evolution(client: EvolutionClient, name: str) -> None:
    with contextlib.suppress(EvolutionNotFound):
        await client.delete(name)


async def create_instance(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    data: InstanceCreate,
    *,
    actor: User,
    ip: str | None,
    throttle: LoginThrottle | None = None,
) -> EvolutionInstance:
    """Create the instance on Evolution with our webhook, and here; both or neither.

    Evolution is asked with no transaction open, so nothing waits behind the call (on
    SQLite, the webhooks). The instance's id, which the webhook URL needs, is reserved
    first; the rows (a server registered on the way, the instance, the audit) are written
    once Evolution said yes. If Evolution refuses, nothing was written; if writing fails
    after it said yes, the instance is deleted on Evolution again
    (:mod:`evodash.instances.cleanup`).
    """
    target = await _resolve_server(session, http, data, settings, actor, throttle)
    repo = InstanceRepository(session)
    if target.server is not None and await repo.live_by_name(target.server.id, data.name):
        raise InstanceNameTaken(data.name)
    [instance_id] = await repo.reserve_ids(1)
    instance = EvolutionInstance(
        id=instance_id,
        display_name=data.display_name,
        name=data.name,
        status=InstanceStatus.created.value,
        phone_number=data.phone_number,
        webhook_events=subscription(data.webhook_events),
        allowed_numbers=[],
        reply_with_summary=False,
    )
    webhook_secret.seal(instance, new_webhook_secret(), settings.secret())
    await end_reads(session)
    client = target.client
    try:
        created = await client.create_instance(
            data.name,
            number=data.phone_number,
            qrcode=False,
            webhook=webhook_config(settings, instance),
        )
    except EvolutionConflict as exc:
        raise InstanceNameTaken(data.name, on_evolution=True) from exc
    except EvolutionTimeout:
        # Evolution may still finish creating it: ask it to forget the instance.
        cleanup.schedule(lambda: _forget_on_evolution(client, data.name), what=data.name)
        raise
    cleanup.undo_on_rollback(
        session, lambda: _forget_on_evolution(client, data.name), what=data.name
    )
    server = target.server
    if server is None:
        assert target.register is not None
        server = await servers.create_server(
            session, target.register, settings, actor=actor, ip=ip, via="instance_create"
        )
    instance.server_id = server.id
    instance.evolution_id = created.instance_id
    instance.token_encrypted = encrypt(created.token, secret=settings.secret())
    instance.token_last4 = last4(created.token)
    instance.webhook_checked_at = utcnow()
    instance.webhook_drift = None
    await _insert(session, instance)
    audit.record(
        session,
        actor,
        "instance.created",
        object_type="instance",
        object_id=instance.id,
        detail={"name": instance.name, "server_id": server.id},
        ip=ip,
    )
    await session.flush()
    emit(session, InstanceCreatedEvent(data=InstanceRead.model_validate(instance)))
    return instance


# --- update and delete -----------------------------------------------------------------------


async def update_instance(
    session: AsyncSession,
    instance: EvolutionInstance,
    data: InstanceUpdate,
    settings: Settings,
    *,
    actor: User,
    ip: str | None,
) -> EvolutionInstance:
    """Change evodash-side fields; nothing here is sent to Evolution."""
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(instance, key, value)
    await session.flush()
    audit.record(
        session,
        actor,
        "instance.updated",
        object_type="instance",
        object_id=instance.id,
        detail=changes,
        ip=ip,
    )
    notify_updated(session, instance)
    return instance


async def delete_instance(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance: EvolutionInstance,
    *,
    keep_history: bool,
    force: bool,
    actor: User,
    ip: str | None,
) -> None:
    """Delete on Evolution (already gone is fine), then here.

    ``keep_history``: the row stays, marked deleted, with its messages and connection
    history; otherwise it goes with them. ``force``: delete here even when Evolution
    cannot be reached or refuses.
    """
    client = await client_for_instance(session, http, settings, instance)
    await end_reads(session)  # nothing held while Evolution deletes
    evolution_error = await delete_remote(client, instance.name, force=force)
    await record_deleted(
        session,
        instance,
        keep_history=keep_history,
        evolution_error=evolution_error,
        actor=actor,
        ip=ip,
    )


async def delete_remote(
    client: EvolutionClient, name: str, *, force: bool
) -> EvolutionError | None:
    """The Evolution half of a delete (no database): already gone is fine; with ``force``
    an Evolution failure is returned instead of raised."""
    try:
        await client.delete(name)
    except EvolutionNotFound:
        return None
    except EvolutionError as exc:
        if not force:
            raise
        return exc
    return None


async def record_deleted(
    session: AsyncSession,
    instance: EvolutionInstance,
    *,
    keep_history: bool,
    evolution_error: EvolutionError | None,
    actor: User,
    ip: str | None,
) -> None:
    """The database half of a delete."""
    # Evolution posts remove.instance while it deletes: read the state that left, locked.
    if instance.id not in await InstanceRepository(session).lock_live([instance.id]):
        raise InstanceDeleted()
    audit.record(
        session,
        actor,
        "instance.deleted",
        object_type="instance",
        object_id=instance.id,
        detail={
            "name": instance.name,
            "server_id": instance.server_id,
            "keep_history": keep_history,
            "forced": evolution_error is not None,
        },
        ip=ip,
        message=evolution_error.detail if evolution_error else None,
    )
    if keep_history:
        state.observe(
            session,
            instance,
            Observation(
                source=ConnectionSource.action,
                at=utcnow(),
                state=InstanceStatus.close,
                detail="deleted",
                qr=None,
            ),
        )
        instance.deleted_at = utcnow()
        instance.token_encrypted = None
    else:
        await InstanceRepository(session).delete(instance)
    await session.flush()
    emit(
        session,
        InstanceDeletedEvent(data=InstanceRef(id=instance.id, server_id=instance.server_id)),
    )
