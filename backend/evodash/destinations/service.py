"""Relay destinations: create, list, change, remove, test; which of them an event goes to.

Services flush, never commit; the request commits once. The per-instance limit is checked
with the instance's row locked (``SELECT … FOR UPDATE``; on SQLite the write lock), so
concurrent creations cannot pass it together.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import httpx
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core import outbound
from evodash.core.config import Settings
from evodash.core.locking import begin_write
from evodash.core.security import decrypt, encrypt
from evodash.destinations.errors import (
    DestinationNameTaken,
    DestinationNotFound,
    DestinationUrlRefused,
    SecretHeaderIncomplete,
    TooManyDestinations,
)
from evodash.destinations.models import ForwardDestination
from evodash.destinations.schemas import (
    MAX_DESTINATIONS,
    DestinationCreate,
    DestinationTestResult,
    DestinationUpdate,
)
from evodash.instances.models import EvolutionInstance
from evodash.users import audit
from evodash.users.models import User


def check_url(url: str, settings: Settings) -> None:
    """Refuse URLs with credentials or a literal non-public address now; names are
    resolved and checked again at every send (:mod:`evodash.core.outbound`)."""
    try:
        outbound.check_url(url, allow_private=settings.forward_allow_private_networks)
    except outbound.DestinationRefused as exc:
        raise DestinationUrlRefused(str(exc)) from exc


def secret_headers(destination: ForwardDestination, settings: Settings) -> dict[str, str]:
    """The destination's secret header in clear, to send (never to show)."""
    if not destination.secret_header_name or destination.secret_header_value_encrypted is None:
        return {}
    value = decrypt(destination.secret_header_value_encrypted, secret=settings.secret())
    return {destination.secret_header_name: value}


async def list_for(session: AsyncSession, instance_id: int) -> Sequence[ForwardDestination]:
    stmt = (
        select(ForwardDestination)
        .where(ForwardDestination.instance_id == instance_id)
        .order_by(ForwardDestination.id)
    )
    return (await session.scalars(stmt)).all()


_ENABLED_FOR = (  # built once: the applier looks it up with every batch
    select(ForwardDestination)
    .where(
        ForwardDestination.instance_id.in_(bindparam("instance_ids", expanding=True)),
        ForwardDestination.enabled.is_(True),
    )
    .order_by(ForwardDestination.id)
)


async def enabled_for(
    session: AsyncSession, instance_ids: Iterable[int]
) -> dict[int, list[ForwardDestination]]:
    """The enabled destinations of each instance (the applier's and recovery's lookup)."""
    ids = list(instance_ids)
    found: dict[int, list[ForwardDestination]] = {}
    if not ids:
        return found
    for destination in (await session.scalars(_ENABLED_FOR, {"instance_ids": ids})).all():
        found.setdefault(destination.instance_id, []).append(destination)
    return found


async def get(session: AsyncSession, instance_id: int, destination_id: int) -> ForwardDestination:
    destination = await session.get(ForwardDestination, destination_id)
    if destination is None or destination.instance_id != instance_id:
        raise DestinationNotFound()
    return destination


async def _lock_instance(session: AsyncSession, instance: EvolutionInstance) -> None:
    await begin_write(session)
    await session.refresh(instance, with_for_update=True)


async def _flush_named(session: AsyncSession, destination: ForwardDestination) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise DestinationNameTaken(destination.name) from exc


async def create(
    session: AsyncSession,
    instance: EvolutionInstance,
    data: DestinationCreate,
    settings: Settings,
    *,
    actor: User,
    ip: str | None,
) -> ForwardDestination:
    check_url(data.url, settings)
    await _lock_instance(session, instance)
    count = await session.scalar(
        select(func.count()).where(ForwardDestination.instance_id == instance.id)
    )
    if int(count or 0) >= MAX_DESTINATIONS:
        raise TooManyDestinations(MAX_DESTINATIONS)
    destination = ForwardDestination(
        instance_id=instance.id,
        name=data.name,
        url=data.url,
        events=list(data.events),
        secret_header_name=data.secret_header_name,
        secret_header_value_encrypted=(
            encrypt(data.secret_header_value.get_secret_value(), secret=settings.secret())
            if data.secret_header_value is not None
            else None
        ),
        max_attempts=data.max_attempts,
        retry_base_seconds=data.retry_base_seconds,
        enabled=data.enabled,
    )
    session.add(destination)
    await _flush_named(session, destination)
    _audit(session, actor, "destination.created", destination, ip, data.model_dump(mode="json"))
    return destination


async def update(
    session: AsyncSession,
    destination: ForwardDestination,
    data: DestinationUpdate,
    settings: Settings,
    *,
    actor: User,
    ip: str | None,
) -> ForwardDestination:
    changes = data.model_dump(exclude_unset=True, exclude={"secret_header_value"})
    if "url" in changes:
        check_url(changes["url"], settings)
    value = data.secret_header_value
    if (
        "secret_header_name" in changes
        and changes["secret_header_name"] is None
        and value is not None
    ):
        raise SecretHeaderIncomplete()
    name = str(changes.get("name", destination.name))
    try:
        # The changes are made inside the savepoint: a name another destination of the
        # instance has fails its flush there, and the request's transaction lives on.
        async with session.begin_nested():
            if "secret_header_name" in changes and changes["secret_header_name"] is None:
                destination.secret_header_value_encrypted = None
            if value is not None:
                destination.secret_header_value_encrypted = encrypt(
                    value.get_secret_value(), secret=settings.secret()
                )
            for key, new in changes.items():
                setattr(destination, key, new)
            if (destination.secret_header_name is None) != (
                destination.secret_header_value_encrypted is None
            ):
                raise SecretHeaderIncomplete()
            await session.flush()
    except IntegrityError as exc:
        raise DestinationNameTaken(name) from exc
    if value is not None:
        changes["secret_header_value"] = "(changed)"
    _audit(session, actor, "destination.updated", destination, ip, changes)
    return destination


async def delete(
    session: AsyncSession, destination: ForwardDestination, *, actor: User, ip: str | None
) -> None:
    _audit(session, actor, "destination.deleted", destination, ip, {"name": destination.name})
    await session.delete(destination)
    await session.flush()


def _audit(
    session: AsyncSession,
    actor: User,
    action: str,
    destination: ForwardDestination,
    ip: str | None,
    detail: dict[str, object],
) -> None:
    detail = {k: v for k, v in detail.items() if k != "secret_header_value" or v == "(changed)"}
    audit.record(
        session,
        actor,
        action,
        object_type="instance",
        object_id=destination.instance_id,
        detail={"destination_id": destination.id, **detail},
        ip=ip,
    )


async def test_send(
    destination: ForwardDestination,
    instance: EvolutionInstance,
    http: httpx.AsyncClient,
    settings: Settings,
) -> DestinationTestResult:
    """Post a sample event (``evodash.test``) once, with the same checks and headers as a
    relay; nothing is recorded or retried."""
    from evodash.webhooks.forwarding import post_event

    body = {
        "event": "evodash.test",
        "instance": instance.name,
        "data": {"message": "A test from evodash: this destination is reachable."},
    }
    started = time.perf_counter()
    status, error = await post_event(
        http,
        settings,
        destination.url,
        body,
        {"X-Evodash-Event": "evodash.test", **secret_headers(destination, settings)},
    )
    latency = int((time.perf_counter() - started) * 1000)
    return DestinationTestResult(
        ok=error is None, http_status=status, latency_ms=latency, error=error
    )
