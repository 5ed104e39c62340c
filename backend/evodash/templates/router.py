"""``/api/templates``: fleet templates, their previews and drift. Admins manage templates;
operators preview and apply them (``/api/bulk-operations``) to the instances in their
scope; everyone reads them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from evodash.auth.deps import AdminUser, CurrentUser, OperatorUser
from evodash.bulk.service import resolve_targets
from evodash.core.deps import ClientIP, HttpClientDep, SessionDep, SettingsDep
from evodash.core.pagination import PageParams, page_params
from evodash.core.params import Id
from evodash.core.schemas import Page, error_responses
from evodash.teams.deps import ScopeDep
from evodash.templates import checks, service
from evodash.templates.deps import TemplateDep
from evodash.templates.schemas import (
    DriftItem,
    PreviewRead,
    Targets,
    TemplateRead,
    TemplateUpdate,
    TemplateWrite,
)

router = APIRouter(prefix="/templates", tags=["templates"])

Paging = Annotated[PageParams, Depends(page_params)]


@router.get(
    "",
    response_model=Page[TemplateRead],
    summary="List fleet templates",
    responses=error_responses(401, 422),
)
async def list_templates(
    _: CurrentUser, session: SessionDep, scope: ScopeDep, paging: Paging
) -> Page[TemplateRead]:
    items, total = await service.list_templates(
        session, offset=paging.offset, limit=paging.page_size, scope=scope
    )
    return Page(items=items, total=total, page=paging.page, page_size=paging.page_size)


@router.post(
    "",
    response_model=TemplateRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a fleet template",
    description="Each section left out (null) is not managed: applying the template leaves "
    "that part of an instance alone. A section given is applied exactly: the events "
    "(besides the required ones), the allow-list, the relay destinations (by name; others "
    "are removed). `settings` sets only the switches given.",
    responses=error_responses(401, 403, 409, 422),
)
async def create_template(
    body: TemplateWrite,
    actor: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    ip: ClientIP,
) -> TemplateRead:
    template = await service.create(session, body, settings, actor=actor, ip=ip)
    return await service.read(session, template, scope)


@router.get(
    "/drift",
    response_model=list[DriftItem],
    summary="Drift of the instances linked to a template",
    description="What the last check (or the apply) found for each instance a template was "
    "applied to; no Evolution call. Check again with `POST /templates/{id}/drift`.",
    responses=error_responses(401, 422),
)
async def list_drift(
    _: CurrentUser,
    session: SessionDep,
    scope: ScopeDep,
    instance_id: Annotated[Id | None, Query(description="Only this instance")] = None,
) -> list[DriftItem]:
    return await checks.list_drift(session, scope, instance_id=instance_id)


@router.get(
    "/{template_id:int}",
    response_model=TemplateRead,
    summary="Get a fleet template",
    responses=error_responses(401, 404),
)
async def get_template(
    _: CurrentUser, scope: ScopeDep, template: TemplateDep, session: SessionDep
) -> TemplateRead:
    return await service.read(session, template, scope)


@router.patch(
    "/{template_id:int}",
    response_model=TemplateRead,
    summary="Change a fleet template",
    description="Fields left out stay. A change of what it applies raises `version`: the "
    "instances applied with an older version show drift until it is applied again.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_template(
    actor: AdminUser,
    scope: ScopeDep,
    body: TemplateUpdate,
    template: TemplateDep,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> TemplateRead:
    await service.update(session, template, body, settings, actor=actor, ip=ip)
    return await service.read(session, template, scope)


@router.delete(
    "/{template_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a fleet template",
    description="The instances keep their configuration; they are no longer linked.",
    responses=error_responses(401, 403, 404),
)
async def delete_template(
    actor: AdminUser, template: TemplateDep, session: SessionDep, ip: ClientIP
) -> Response:
    await service.delete(session, template, actor=actor, ip=ip)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{template_id:int}/preview",
    response_model=PreviewRead,
    summary="What applying a template would change",
    description="Per instance: the settings (old → new), events, allow-list numbers and "
    "destinations that would change. Nothing is changed. Instances outside the caller's "
    "scope are unknown (404).",
    responses=error_responses(401, 403, 404, 422),
)
async def preview(
    _: OperatorUser,
    scope: ScopeDep,
    body: Targets,
    template: TemplateDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
) -> PreviewRead:
    instances = await resolve_targets(session, body, scope)
    return await checks.preview(session, http, settings, template, instances)


@router.post(
    "/{template_id:int}/drift",
    response_model=list[DriftItem],
    summary="Check the instances linked to a template now",
    responses=error_responses(401, 403, 404),
)
async def check_drift(
    _: OperatorUser,
    scope: ScopeDep,
    template: TemplateDep,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
) -> list[DriftItem]:
    return await checks.check_drift(session, http, settings, template, scope)
