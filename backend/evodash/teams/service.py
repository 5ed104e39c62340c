"""Teams: create, change, delete; membership of users, servers and instances."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import EvolutionInstance
from evodash.servers.models import EvolutionServer
from evodash.teams.errors import TeamNameTaken, TeamNotFound, UnknownMembers
from evodash.teams.models import Team, TeamInstance, TeamMember, TeamServer
from evodash.teams.schemas import TeamRead, TeamUpdate, TeamWrite
from evodash.users import audit
from evodash.users.models import User

_LINKS = (
    ("user_ids", TeamMember, TeamMember.user_id, User, "user"),
    ("server_ids", TeamServer, TeamServer.server_id, EvolutionServer, "server"),
    ("instance_ids", TeamInstance, TeamInstance.instance_id, EvolutionInstance, "instance"),
)


async def _members(
    session: AsyncSession, team_ids: Sequence[int]
) -> dict[int, dict[str, list[int]]]:
    found: dict[int, dict[str, list[int]]] = {t: {f: [] for f, *_ in _LINKS} for t in team_ids}
    if not team_ids:
        return found
    for field, table, column, *_ in _LINKS:
        rows = await session.execute(
            select(table.team_id, column).where(table.team_id.in_(team_ids)).order_by(column)
        )
        for team_id, member_id in rows:
            found[team_id][field].append(member_id)
    return found


def _read(team: Team, members: dict[str, list[int]]) -> TeamRead:
    return TeamRead(
        id=team.id,
        name=team.name,
        description=team.description,
        created_at=team.created_at,
        **members,
    )


async def list_teams(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[TeamRead], int]:
    total = (await session.execute(select(func.count()).select_from(Team))).scalar_one()
    teams = (
        await session.scalars(select(Team).order_by(Team.name, Team.id).offset(offset).limit(limit))
    ).all()
    members = await _members(session, [t.id for t in teams])
    return [_read(t, members[t.id]) for t in teams], total


async def _team(session: AsyncSession, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    if team is None:
        raise TeamNotFound()
    return team


async def get_team(session: AsyncSession, team_id: int) -> TeamRead:
    team = await _team(session, team_id)
    return _read(team, (await _members(session, [team.id]))[team.id])


async def _replace(session: AsyncSession, team_id: int, field: str, wanted: list[int]) -> None:
    for name, table, column, target, kind in _LINKS:
        if name != field:
            continue
        ids = sorted(set(wanted))
        if ids:
            known = set((await session.scalars(select(target.id).where(target.id.in_(ids)))).all())
            missing = [i for i in ids if i not in known]
            if missing:
                raise UnknownMembers(kind, missing)
        await session.execute(delete(table).where(table.team_id == team_id))
        if ids:
            await session.execute(insert(table), [{"team_id": team_id, column.key: i} for i in ids])


async def create_team(session: AsyncSession, body: TeamWrite, *, actor: User, ip: str) -> TeamRead:
    team = Team(name=body.name, description=body.description)
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending first, so a
        # row added before it would fail outside the savepoint and break the transaction.
        async with session.begin_nested():
            session.add(team)
            await session.flush()
    except IntegrityError as exc:
        raise TeamNameTaken() from exc
    for field, *_ in _LINKS:
        await _replace(session, team.id, field, getattr(body, field))
    audit.record(
        session,
        actor,
        "team.created",
        object_type="team",
        object_id=team.id,
        detail={"name": team.name},
        ip=ip,
    )
    return await get_team(session, team.id)


async def update_team(
    session: AsyncSession, team_id: int, body: TeamUpdate, *, actor: User, ip: str
) -> TeamRead:
    team = await _team(session, team_id)
    changed = body.model_dump(exclude_unset=True, exclude_none=True)
    try:
        async with session.begin_nested():
            if "name" in changed:
                team.name = changed["name"]
            if "description" in changed:
                team.description = changed["description"]
            await session.flush()
    except IntegrityError as exc:
        raise TeamNameTaken() from exc
    for field, *_ in _LINKS:
        if field in changed:
            await _replace(session, team.id, field, changed[field])
    audit.record(
        session,
        actor,
        "team.updated",
        object_type="team",
        object_id=team.id,
        detail={"fields": sorted(changed)},
        ip=ip,
    )
    return await get_team(session, team.id)


async def delete_team(session: AsyncSession, team_id: int, *, actor: User, ip: str) -> None:
    team = await _team(session, team_id)
    await session.delete(team)
    audit.record(
        session,
        actor,
        "team.deleted",
        object_type="team",
        object_id=team_id,
        detail={"name": team.name},
        ip=ip,
    )
