"""What a template changes on an instance, and how it is made to.

Applying a template to one instance has the three phases of every Evolution action here:

1. :func:`load` reads the instance, its server and its destinations (database);
2. :func:`observe` asks Evolution for the settings the template manages, and
   :func:`diff` tells what differs; :func:`push` then changes the settings and the webhook
   events on Evolution (no database);
3. :func:`record` writes the local part (events, allow-list, destinations), read again
   under the instance's lock, and links the instance to the template.

A preview is phases 1 and 2 without :func:`push`; a drift check is a preview of an
instance linked to the template, kept on the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.security import decrypt
from evodash.destinations.models import ForwardDestination
from evodash.evolution import EvolutionClient, InstanceSettings, WebhookConfig, WebhookInfo
from evodash.instances.errors import InstanceDeleted, InstanceNotFound
from evodash.instances.history import notify_updated
from evodash.instances.models import EvolutionInstance
from evodash.instances.repository import InstanceRepository
from evodash.instances.webhook_setup import subscription, webhook_config, webhook_drift
from evodash.servers import service as servers
from evodash.templates.models import FleetTemplate, TemplateLink
from evodash.templates.schemas import SETTING_FIELDS, DestinationChange, SettingChange, TemplateDiff
from evodash.users import audit
from evodash.users.models import User

#: Destination fields compared (the secret value is compared in clear, never shown).
_DESTINATION_FIELDS = (
    "url",
    "events",
    "secret_header_name",
    "secret_header_value",
    "max_attempts",
    "retry_base_seconds",
    "enabled",
)


@dataclass(frozen=True)
class Spec:
    """What a template wants, detached from the session (safe to use across phases)."""

    template_id: int
    name: str
    version: int
    events: list[str] | None
    settings: dict[str, Any]
    allowed_numbers: list[str] | None
    destinations: list[dict[str, Any]] | None

    @classmethod
    def of(cls, template: FleetTemplate) -> Spec:
        return cls(
            template.id,
            template.name,
            template.version,
            None if template.events is None else subscription(template.events),
            dict(template.settings),
            None if template.allowed_numbers is None else list(template.allowed_numbers),
            None if template.destinations is None else [dict(d) for d in template.destinations],
        )


@dataclass
class Loaded:
    """One instance as phase 1 read it."""

    instance_id: int
    display_name: str
    name: str
    client: EvolutionClient
    webhook: WebhookConfig
    events: list[str]
    allowed_numbers: list[str]
    destinations: list[dict[str, Any]]


def _destination_view(row: ForwardDestination, secret: str) -> dict[str, Any]:
    return {
        "name": row.name,
        "url": row.url,
        "events": list(row.events or ()),
        "secret_header_name": row.secret_header_name,
        "secret_header_value": (
            decrypt(row.secret_header_value_encrypted, secret=secret)
            if row.secret_header_value_encrypted
            else None
        ),
        "max_attempts": row.max_attempts,
        "retry_base_seconds": row.retry_base_seconds,
        "enabled": row.enabled,
    }


def _wanted_view(stored: dict[str, Any], secret: str) -> dict[str, Any]:
    encrypted = stored.get("secret_header_value_encrypted")
    return {
        **{k: stored.get(k) for k in _DESTINATION_FIELDS if k != "secret_header_value"},
        "secret_header_value": decrypt(encrypted, secret=secret) if encrypted else None,
    }


async def _destinations(session: AsyncSession, instance_id: int) -> list[ForwardDestination]:
    stmt = (
        select(ForwardDestination)
        .where(ForwardDestination.instance_id == instance_id)
        .order_by(ForwardDestination.id)
    )
    return list((await session.scalars(stmt)).all())


async def load(
    session: AsyncSession, http: httpx.AsyncClient, settings: Settings, instance_id: int
) -> Loaded:
    """Phase 1: the instance as it is here (raises if it is gone)."""
    instance = await session.get(EvolutionInstance, instance_id)
    if instance is None or instance.deleted_at is not None:
        raise InstanceNotFound()
    server = await servers.get_server(session, instance.server_id)
    rows = await _destinations(session, instance_id)
    return Loaded(
        instance_id=instance.id,
        display_name=instance.display_name,
        name=instance.name,
        client=servers.client_for(http, server, settings),
        webhook=webhook_config(settings, instance),
        events=subscription(instance.webhook_events),
        allowed_numbers=list(instance.allowed_numbers or ()),
        destinations=[_destination_view(r, settings.secret()) for r in rows],
    )


async def observe(spec: Spec, loaded: Loaded) -> InstanceSettings | None:
    """Phase 2: the Evolution settings, when the template manages any (no database)."""
    if not spec.settings:
        return None
    return await loaded.client.find_settings(loaded.name) or InstanceSettings()


def _setting(found: InstanceSettings | None, field: str) -> bool | str | None:
    value = getattr(found or InstanceSettings(), field)
    return (value or "") if field == "msg_call" else bool(value)


def _events_diff(spec: Spec, events: Sequence[str], diff: TemplateDiff) -> None:
    if spec.events is None:
        return
    diff.events_added = [e for e in spec.events if e not in events]
    diff.events_removed = [e for e in events if e not in spec.events]


def _local_diff(
    spec: Spec,
    numbers: Sequence[str],
    destinations: Sequence[dict[str, Any]],
    secret: str,
    diff: TemplateDiff,
) -> None:
    if spec.allowed_numbers is not None:
        diff.numbers_added = sorted(set(spec.allowed_numbers) - set(numbers))
        diff.numbers_removed = sorted(set(numbers) - set(spec.allowed_numbers))
    if spec.destinations is None:
        return
    current = {d["name"]: d for d in destinations}
    wanted = {d["name"]: _wanted_view(d, secret) for d in spec.destinations}
    changes: list[DestinationChange] = []
    for name in sorted(set(current) - set(wanted)):
        changes.append(DestinationChange(name=name, action="remove", fields=[]))
    for name, want in wanted.items():
        have = current.get(name)
        if have is None:
            changes.append(DestinationChange(name=name, action="create", fields=[]))
            continue
        fields = [f for f in _DESTINATION_FIELDS if have[f] != want[f]]
        if fields:
            changes.append(DestinationChange(name=name, action="update", fields=fields))
    diff.destinations = changes


def diff(
    spec: Spec, loaded: Loaded, found: InstanceSettings | None, settings: Settings
) -> TemplateDiff:
    """Everything applying ``spec`` would change on the instance ``loaded`` describes."""
    changes = TemplateDiff()
    for field in SETTING_FIELDS:
        if field in spec.settings:
            old, new = _setting(found, field), spec.settings[field]
            if old != new:
                changes.settings.append(SettingChange(field=field, old=old, new=new))
    _events_diff(spec, loaded.events, changes)
    _local_diff(spec, loaded.allowed_numbers, loaded.destinations, settings.secret(), changes)
    return changes


async def push(
    spec: Spec, loaded: Loaded, found: InstanceSettings | None, changes: TemplateDiff
) -> WebhookInfo | None:
    """Phase 2: change what differs on Evolution (settings, then the webhook's events).
    Answers the webhook as Evolution stored it, when it was set."""
    if changes.settings:
        merged = (found or InstanceSettings()).model_copy(update=spec.settings)
        await loaded.client.set_settings(loaded.name, merged)
    if spec.events is not None and (changes.events_added or changes.events_removed):
        config = loaded.webhook.model_copy(update={"events": list(spec.events)})
        return await loaded.client.set_webhook(loaded.name, config)
    return None


async def _write_destinations(
    session: AsyncSession,
    instance_id: int,
    rows: Sequence[ForwardDestination],
    spec: Spec,
    changes: Sequence[DestinationChange],
) -> None:
    by_name = {r.name: r for r in rows}
    wanted = {d["name"]: d for d in spec.destinations or ()}
    for change in changes:
        row = by_name.get(change.name)
        if change.action == "remove" and row is not None:
            # Deleted before the others are written: a name freed here may be reused.
            await session.delete(row)
            continue
        want = wanted[change.name]
        values = {
            "url": want["url"],
            "events": list(want["events"]),
            "secret_header_name": want["secret_header_name"],
            "secret_header_value_encrypted": want["secret_header_value_encrypted"],
            "max_attempts": want["max_attempts"],
            "retry_base_seconds": want["retry_base_seconds"],
            "enabled": want["enabled"],
        }
        if row is None:
            session.add(ForwardDestination(instance_id=instance_id, name=change.name, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)


async def record(
    session: AsyncSession,
    settings: Settings,
    spec: Spec,
    instance_id: int,
    remote: TemplateDiff,
    stored_webhook: WebhookInfo | None,
    *,
    actor: User,
    ip: str | None,
) -> TemplateDiff:
    """Phase 3: make the local part match ``spec`` (read again, the instance locked), link
    the instance to the template. Answers everything that changed: ``remote`` (settings
    and events, done on Evolution) and the local part."""
    instance = (await InstanceRepository(session).lock_live([instance_id])).get(instance_id)
    if instance is None:
        raise InstanceDeleted()
    rows = await _destinations(session, instance_id)
    changes = remote.model_copy(deep=True)
    _local_diff(
        spec,
        list(instance.allowed_numbers or ()),
        [_destination_view(r, settings.secret()) for r in rows],
        settings.secret(),
        changes,
    )
    if stored_webhook is not None and spec.events is not None:
        instance.webhook_events = list(spec.events)
        instance.webhook_drift = webhook_drift(settings, instance, stored_webhook)
        instance.webhook_checked_at = utcnow()
    if spec.allowed_numbers is not None and (changes.numbers_added or changes.numbers_removed):
        instance.allowed_numbers = list(spec.allowed_numbers)
    if changes.destinations:
        await _write_destinations(session, instance_id, rows, spec, changes.destinations)
        await session.flush()
    await link(session, spec, instance_id, drift=None)
    if not changes.empty:
        notify_updated(session, instance)
        audit.record(
            session,
            actor,
            "instance.template_applied",
            object_type="instance",
            object_id=instance_id,
            detail={
                "template_id": spec.template_id,
                "template": spec.name,
                "version": spec.version,
                "changes": changes.model_dump(mode="json", exclude_defaults=True),
            },
            ip=ip,
        )
    await session.flush()
    return changes


async def link(
    session: AsyncSession, spec: Spec, instance_id: int, *, drift: dict[str, Any] | None
) -> None:
    """The instance follows ``spec``'s template now (the one it follows, if another)."""
    now = utcnow()
    row = await session.get(TemplateLink, instance_id)
    if row is None:
        session.add(
            TemplateLink(
                instance_id=instance_id,
                template_id=spec.template_id,
                applied_version=spec.version,
                applied_at=now,
                checked_at=now,
                drift=drift,
            )
        )
        return
    row.template_id = spec.template_id
    row.applied_version, row.applied_at = spec.version, now
    row.checked_at, row.drift = now, drift
