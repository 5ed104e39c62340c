"""Preview and drift: what a template would change on instances, without changing it.

Both read the instances (one short read, ended before Evolution is asked), ask Evolution
for the settings a bounded number at a time with a time limit each, and answer one
result per instance: an instance whose state cannot be read fails alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import end_reads, utcnow
from evodash.core.errors import AppError
from evodash.instances.models import EvolutionInstance
from evodash.teams.scope import Scope
from evodash.templates import plan
from evodash.templates.models import FleetTemplate, TemplateLink
from evodash.templates.schemas import DriftItem, PreviewItem, PreviewRead, TemplateDiff


async def _diffs(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    spec: plan.Spec,
    instance_ids: Sequence[int],
) -> list[PreviewItem]:
    loaded: list[plan.Loaded | PreviewItem] = []
    for instance_id in instance_ids:
        try:
            loaded.append(await plan.load(session, http, settings, instance_id))
        except AppError as exc:
            loaded.append(_failed(instance_id, "", exc))
    await end_reads(session)  # nothing held while Evolution answers
    semaphore = asyncio.Semaphore(settings.status_sync_concurrency)
    timeout = 2 * settings.evolution_timeout_seconds + 5

    async def one(item: plan.Loaded | PreviewItem) -> PreviewItem:
        if isinstance(item, PreviewItem):
            return item
        async with semaphore:
            try:
                async with asyncio.timeout(timeout):
                    found = await plan.observe(spec, item)
            except AppError as exc:
                return _failed(item.instance_id, item.display_name, exc)
            except TimeoutError:
                return PreviewItem(
                    instance_id=item.instance_id,
                    name=item.display_name,
                    ok=False,
                    changes=None,
                    error="timeout",
                    detail="Evolution took too long to answer.",
                )
        changes = plan.diff(spec, item, found, settings)
        return PreviewItem(
            instance_id=item.instance_id, name=item.display_name, ok=True, changes=changes
        )

    return list(await asyncio.gather(*(one(item) for item in loaded)))


def _failed(instance_id: int, name: str, exc: AppError) -> PreviewItem:
    return PreviewItem(
        instance_id=instance_id,
        name=name,
        ok=False,
        changes=None,
        error=exc.code,
        detail=exc.detail,
    )


async def preview(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    template: FleetTemplate,
    instances: Sequence[EvolutionInstance],
) -> PreviewRead:
    spec = plan.Spec.of(template)
    items = await _diffs(session, http, settings, spec, [i.id for i in instances])
    changing = sum(1 for i in items if i.ok and i.changes is not None and not i.changes.empty)
    failed = sum(1 for i in items if not i.ok)
    return PreviewRead(
        template_id=spec.template_id,
        version=spec.version,
        items=items,
        changing=changing,
        unchanged=len(items) - changing - failed,
        failed=failed,
    )


# --- drift -------------------------------------------------------------------------------------


async def _links(
    session: AsyncSession, scope: Scope, *, template_id: int | None, instance_id: int | None
) -> list[tuple[TemplateLink, FleetTemplate, EvolutionInstance]]:
    stmt = (
        select(TemplateLink, FleetTemplate, EvolutionInstance)
        .join(FleetTemplate, FleetTemplate.id == TemplateLink.template_id)
        .join(EvolutionInstance, EvolutionInstance.id == TemplateLink.instance_id)
        .where(EvolutionInstance.deleted_at.is_(None), scope.instances(TemplateLink.instance_id))
        .order_by(TemplateLink.instance_id)
    )
    if template_id is not None:
        stmt = stmt.where(TemplateLink.template_id == template_id)
    if instance_id is not None:
        stmt = stmt.where(TemplateLink.instance_id == instance_id)
    return [tuple(row) for row in (await session.execute(stmt)).all()]  # type: ignore[misc]


def _drift_item(
    link: TemplateLink, template: FleetTemplate, instance: EvolutionInstance
) -> DriftItem:
    drift = link.drift or {}
    differences = TemplateDiff.model_validate(drift["changes"]) if "changes" in drift else None
    error = drift.get("error")
    in_sync = None if link.checked_at is None or error else differences is None
    return DriftItem(
        instance_id=instance.id,
        name=instance.display_name,
        template_id=template.id,
        template_name=template.name,
        in_sync=in_sync,
        template_changed=link.applied_version != template.version,
        applied_at=link.applied_at,
        checked_at=link.checked_at,
        differences=differences,
        error=error,
    )


async def list_drift(
    session: AsyncSession, scope: Scope, *, instance_id: int | None = None
) -> list[DriftItem]:
    """What the last checks found, for every linked instance in scope (no Evolution call)."""
    rows = await _links(session, scope, template_id=None, instance_id=instance_id)
    return [_drift_item(*row) for row in rows]


async def check_drift(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    template: FleetTemplate,
    scope: Scope,
) -> list[DriftItem]:
    """Compare every instance linked to ``template`` (in scope) with it now; keep what
    differs on each link."""
    spec = plan.Spec.of(template)
    rows = await _links(session, scope, template_id=template.id, instance_id=None)
    items = await _diffs(session, http, settings, spec, [link.instance_id for link, *_ in rows])
    found = {item.instance_id: item for item in items}
    locked = {
        link.instance_id: link
        for link in (
            await session.scalars(
                select(TemplateLink)
                .where(TemplateLink.instance_id.in_(list(found)))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).all()
    }
    now = utcnow()
    for instance_id, item in found.items():
        link = locked.get(instance_id)
        if link is None or link.template_id != template.id:
            continue  # unlinked or moved to another template meanwhile
        link.checked_at = now
        if not item.ok:
            link.drift = {"error": item.detail or item.error}
        elif item.changes is not None and not item.changes.empty:
            link.drift = {"changes": item.changes.model_dump(mode="json")}
        else:
            link.drift = None
    await session.flush()
    rows = await _links(session, scope, template_id=template.id, instance_id=None)
    return [_drift_item(*row) for row in rows]
