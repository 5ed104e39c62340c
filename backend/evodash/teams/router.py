from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from evodash.auth.deps import AdminUser
from evodash.core.deps import ClientIP, SessionDep
from evodash.core.pagination import PageParams, page_params
from evodash.core.params import Id
from evodash.core.schemas import Page, error_responses
from evodash.teams import service
from evodash.teams.schemas import TeamRead, TeamUpdate, TeamWrite

router = APIRouter(prefix="/teams", tags=["teams"])

Paging = Annotated[PageParams, Depends(page_params)]


@router.get(
    "", response_model=Page[TeamRead], summary="List teams", responses=error_responses(401, 403)
)
async def list_teams(_: AdminUser, session: SessionDep, paging: Paging) -> Page[TeamRead]:
    items, total = await service.list_teams(session, offset=paging.offset, limit=paging.page_size)
    return Page(items=items, total=total, page=paging.page, page_size=paging.page_size)


@router.post(
    "",
    response_model=TeamRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a team",
    description="A team holds servers (all their instances, now and later) and instances; "
    "its members, unless admins, see those only.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def create_team(
    body: TeamWrite, actor: AdminUser, session: SessionDep, ip: ClientIP
) -> TeamRead:
    return await service.create_team(session, body, actor=actor, ip=ip)


@router.get(
    "/{team_id}",
    response_model=TeamRead,
    summary="Get a team",
    responses=error_responses(401, 403, 404, 422),
)
async def get_team(team_id: Id, _: AdminUser, session: SessionDep) -> TeamRead:
    return await service.get_team(session, team_id)


@router.patch(
    "/{team_id}",
    response_model=TeamRead,
    summary="Change a team",
    description="Fields left out stay; a list given (`user_ids`, `server_ids`, "
    "`instance_ids`) replaces the team's.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_team(
    team_id: Id, body: TeamUpdate, actor: AdminUser, session: SessionDep, ip: ClientIP
) -> TeamRead:
    return await service.update_team(session, team_id, body, actor=actor, ip=ip)


@router.delete(
    "/{team_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a team",
    responses=error_responses(401, 403, 404, 422),
)
async def delete_team(team_id: Id, actor: AdminUser, session: SessionDep, ip: ClientIP) -> None:
    await service.delete_team(session, team_id, actor=actor, ip=ip)
