"""Fleet templates: create, list, change, delete (admins), read (everyone).

Templates are fleet-wide configuration, like servers: admins manage them; operators read
them and preview or apply them to the instances in their scope (:mod:`.apply`); viewers
read them. A template's allow-list is normalized when it is saved (the allow-list's own
normaliser), its destination URLs pass the same checks as an instance's destinations, and
their secret header values are stored encrypted, never returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.security import encrypt
from evodash.destinations.errors import SecretHeaderIncomplete
from evodash.destinations.service import check_url
from evodash.instances.models import EvolutionInstance
from evodash.messages import allowlist
from evodash.messages.errors import InvalidNumbers
from evodash.teams.scope import Scope
from evodash.templates.errors import TemplateNameTaken, TemplateNotFound
from evodash.templates.models import FleetTemplate, TemplateLink
from evodash.templates.schemas import (
    TemplateDestinationRead,
    TemplateDestinationWrite,
    TemplateRead,
    TemplateSettings,
    TemplateUpdate,
    TemplateWrite,
)
from evodash.users import audit
from evodash.users.models import User


def _numbers(entries: Sequence[str] | None, settings: Settings) -> list[str] | None:
    if entries is None:
        return None
    numbers, invalid = allowlist.normalize_entries(entries, settings.default_phone_region)
    if invalid:
        raise InvalidNumbers(invalid)
    return numbers


def _destinations(
    wanted: Sequence[TemplateDestinationWrite] | None,
    previous: Sequence[dict[str, Any]] | None,
    settings: Settings,
) -> list[dict[str, Any]] | None:
    """The stored form: secrets encrypted; a header name without a value keeps the value
    stored for the destination of the same name."""
    if wanted is None:
        return None
    kept = {d["name"]: d for d in previous or ()}
    stored: list[dict[str, Any]] = []
    for d in wanted:
        check_url(d.url, settings)
        secret: str | None = None
        if d.secret_header_value is not None:
            secret = encrypt(d.secret_header_value.get_secret_value(), secret=settings.secret())
        elif d.secret_header_name is not None:
            old = kept.get(d.name)
            if old is None or old.get("secret_header_value_encrypted") is None:
                raise SecretHeaderIncomplete()
            secret = old["secret_header_value_encrypted"]
        stored.append(
            {
                "name": d.name,
                "url": d.url,
                "events": list(d.events),
                "secret_header_name": d.secret_header_name,
                "secret_header_value_encrypted": secret,
                "max_attempts": d.max_attempts,
                "retry_base_seconds": d.retry_base_seconds,
                "enabled": d.enabled,
            }
        )
    return stored


def to_read(template: FleetTemplate, linked: int = 0) -> TemplateRead:
    destinations = None
    if template.destinations is not None:
        destinations = [
            TemplateDestinationRead(
                name=d["name"],
                url=d["url"],
                events=d["events"],
                secret_header_name=d["secret_header_name"],
                has_secret=d["secret_header_value_encrypted"] is not None,
                max_attempts=d["max_attempts"],
                retry_base_seconds=d["retry_base_seconds"],
                enabled=d["enabled"],
            )
            for d in template.destinations
        ]
    return TemplateRead(
        id=template.id,
        name=template.name,
        description=template.description,
        events=template.events,
        settings=TemplateSettings.model_validate(template.settings),
        allowed_numbers=template.allowed_numbers,
        destinations=destinations,
        version=template.version,
        linked=linked,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


async def _linked(session: AsyncSession, ids: Sequence[int], scope: Scope) -> dict[int, int]:
    if not ids:
        return {}
    rows = await session.execute(
        select(TemplateLink.template_id, func.count())
        .join(EvolutionInstance, EvolutionInstance.id == TemplateLink.instance_id)
        .where(
            TemplateLink.template_id.in_(ids),
            EvolutionInstance.deleted_at.is_(None),
            scope.instances(TemplateLink.instance_id),
        )
        .group_by(TemplateLink.template_id)
    )
    return {template_id: count for template_id, count in rows}


async def get(session: AsyncSession, template_id: int) -> FleetTemplate:
    template = await session.get(FleetTemplate, template_id)
    if template is None:
        raise TemplateNotFound()
    return template


async def read(session: AsyncSession, template: FleetTemplate, scope: Scope) -> TemplateRead:
    return to_read(template, (await _linked(session, [template.id], scope)).get(template.id, 0))


async def list_templates(
    session: AsyncSession, *, offset: int, limit: int, scope: Scope
) -> tuple[list[TemplateRead], int]:
    total = (await session.execute(select(func.count()).select_from(FleetTemplate))).scalar_one()
    rows = (
        await session.scalars(
            select(FleetTemplate)
            .order_by(FleetTemplate.name, FleetTemplate.id)
            .offset(offset)
            .limit(limit)
        )
    ).all()
    linked = await _linked(session, [t.id for t in rows], scope)
    return [to_read(t, linked.get(t.id, 0)) for t in rows], total


async def _flush_named(session: AsyncSession, name: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise TemplateNameTaken(name) from exc


def _audit_detail(template: FleetTemplate) -> dict[str, Any]:
    """What an audit entry keeps of a template (no secrets)."""
    return {
        "name": template.name,
        "version": template.version,
        "events": template.events,
        "settings": template.settings,
        "allowed_numbers": len(template.allowed_numbers or ()),
        "destinations": [d["name"] for d in template.destinations or ()],
    }


async def create(
    session: AsyncSession, data: TemplateWrite, settings: Settings, *, actor: User, ip: str | None
) -> FleetTemplate:
    template = FleetTemplate(
        name=data.name,
        description=data.description,
        events=None if data.events is None else list(data.events),
        settings=data.settings.managed(),
        allowed_numbers=_numbers(data.allowed_numbers, settings),
        destinations=_destinations(data.destinations, None, settings),
        version=1,
        created_by=actor.id,
    )
    session.add(template)
    await _flush_named(session, data.name)
    audit.record(
        session,
        actor,
        "template.created",
        object_type="template",
        object_id=template.id,
        detail=_audit_detail(template),
        ip=ip,
    )
    return template


async def update(
    session: AsyncSession,
    template: FleetTemplate,
    data: TemplateUpdate,
    settings: Settings,
    *,
    actor: User,
    ip: str | None,
) -> FleetTemplate:
    sent = data.model_fields_set
    values: dict[str, Any] = {}
    if "name" in sent and data.name is not None:
        values["name"] = data.name.strip()
    if "description" in sent and data.description is not None:
        values["description"] = data.description
    if "events" in sent:
        values["events"] = None if data.events is None else list(data.events)
    if "settings" in sent and data.settings is not None:
        values["settings"] = data.settings.managed()
    if "allowed_numbers" in sent:
        values["allowed_numbers"] = _numbers(data.allowed_numbers, settings)
    if "destinations" in sent:
        values["destinations"] = _destinations(data.destinations, template.destinations, settings)
    changed = {k for k, v in values.items() if getattr(template, k) != v}
    if not changed:
        return template
    name = str(values.get("name", template.name))
    async with session.begin_nested():
        for key in changed:
            setattr(template, key, values[key])
        if changed - {"name", "description"}:
            template.version += 1
        try:
            await session.flush()
        except IntegrityError as exc:
            raise TemplateNameTaken(name) from exc
    audit.record(
        session,
        actor,
        "template.updated",
        object_type="template",
        object_id=template.id,
        detail={"changed": sorted(changed), **_audit_detail(template)},
        ip=ip,
    )
    return template


async def delete(
    session: AsyncSession, template: FleetTemplate, *, actor: User, ip: str | None
) -> None:
    audit.record(
        session,
        actor,
        "template.deleted",
        object_type="template",
        object_id=template.id,
        detail={"name": template.name},
        ip=ip,
    )
    await session.delete(template)
    await session.flush()
