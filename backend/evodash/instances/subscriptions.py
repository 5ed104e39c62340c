"""Event selection: which Evolution events each instance's webhook subscribes to.

The events evodash needs (:data:`~evodash.instances.webhook_setup.REQUIRED_EVENTS`) are
always on; others (contacts, presence, calls…) can be added so that they reach the
instance's relay destinations. Changing the selection sets the webhook on Evolution
(``webhook/set``), for one instance or many at once, in three phases like the status
sync: read the instances, ask Evolution with no transaction open (a few at a time), then
write what Evolution accepted. Each instance has its own result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import end_reads, utcnow
from evodash.core.errors import AppError
from evodash.evolution import EvolutionError, WebhookConfig, WebhookInfo
from evodash.evolution.models import WEBHOOK_EVENTS
from evodash.instances.errors import InstanceDeleted, InstanceNotFound
from evodash.instances.history import notify_updated
from evodash.instances.repository import InstanceRepository
from evodash.instances.schemas import (
    EventSelectionItem,
    EventSelectionReport,
    WebhookEventInfo,
)
from evodash.instances.webhook_setup import (
    REQUIRED_EVENTS,
    subscription,
    webhook_config,
    webhook_drift,
)
from evodash.servers import service as servers
from evodash.servers.repository import ServerRepository
from evodash.users import audit
from evodash.users.models import User


def catalog() -> list[WebhookEventInfo]:
    """Every event ``webhook/set`` accepts, in the server's order, and whether it is
    required."""
    return [
        WebhookEventInfo(
            name=name,
            payload_name=name.lower().replace("_", "."),
            required=name in REQUIRED_EVENTS,
        )
        for name in WEBHOOK_EVENTS
    ]


@dataclass(frozen=True)
class _Plan:
    instance_id: int
    name: str
    server_id: int
    config: WebhookConfig
    events: list[str]


async def set_events(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    instance_ids: Sequence[int],
    chosen: Sequence[str],
    *,
    actor: User,
    ip: str | None,
    raise_errors: bool = False,
) -> EventSelectionReport:
    """Subscribe each instance to the required events and ``chosen``; one result each
    (instances unknown or deleted fail alone; with ``raise_errors`` the first failure is
    raised instead). Flushes, never commits."""
    events = subscription(chosen)
    found = {i.id: i for i in await InstanceRepository(session).live(instance_ids)}
    server_map = await ServerRepository(session).by_ids(
        sorted({i.server_id for i in found.values()})
    )
    plans: dict[int, _Plan] = {}
    results: dict[int, EventSelectionItem] = {}
    for instance_id in dict.fromkeys(instance_ids):
        instance = found.get(instance_id)
        if instance is None:
            if raise_errors:
                raise InstanceNotFound()
            results[instance_id] = _failed(instance_id, None, InstanceNotFound())
            continue
        config = webhook_config(settings, instance).model_copy(update={"events": events})
        plans[instance_id] = _Plan(instance.id, instance.name, instance.server_id, config, events)
    await end_reads(session)  # nothing held while Evolution answers
    semaphore = asyncio.Semaphore(settings.status_sync_concurrency)

    async def ask(plan: _Plan) -> WebhookInfo | AppError:
        async with semaphore:
            try:
                client = servers.client_for(http, server_map[plan.server_id], settings)
                return await client.set_webhook(plan.name, plan.config)
            except (EvolutionError, AppError) as exc:
                return exc

    answers = await asyncio.gather(*(ask(p) for p in plans.values()))
    locked = await InstanceRepository(session).lock_live(list(plans))
    for plan, answer in zip(plans.values(), answers, strict=True):
        instance = locked.get(plan.instance_id)
        if isinstance(answer, AppError) and raise_errors:
            raise answer
        if isinstance(answer, AppError):
            results[plan.instance_id] = _failed(plan.instance_id, plan.name, answer)
            continue
        if instance is None:
            if raise_errors:
                raise InstanceDeleted()
            results[plan.instance_id] = _failed(plan.instance_id, plan.name, InstanceDeleted())
            continue
        instance.webhook_events = list(plan.events)
        instance.webhook_drift = webhook_drift(settings, instance, answer)
        instance.webhook_checked_at = utcnow()
        notify_updated(session, instance)
        audit.record(
            session,
            actor,
            "instance.webhook_events_changed",
            object_type="instance",
            object_id=instance.id,
            detail={"events": plan.events},
            ip=ip,
        )
        results[plan.instance_id] = EventSelectionItem(
            instance_id=plan.instance_id, name=plan.name, ok=True, events=plan.events
        )
    await session.flush()
    items = [results[i] for i in dict.fromkeys(instance_ids)]
    ok = sum(1 for item in items if item.ok)
    return EventSelectionReport(items=items, succeeded=ok, failed=len(items) - ok)


def _failed(instance_id: int, name: str | None, error: AppError) -> EventSelectionItem:
    return EventSelectionItem(
        instance_id=instance_id, name=name, ok=False, error=error.code, detail=error.detail
    )


__all__ = ["catalog", "set_events"]
