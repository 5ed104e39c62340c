"""What a caller may see: every server and instance, or a set of them.

A request's :class:`Scope` comes from its user and credential:

* admins see everything;
* a user who belongs to teams sees the instances those teams hold, directly or through a
  server they hold (an instance created later on such a server is visible at once);
* a user in no team sees everything, as before teams existed (teams are opt-in);
* an API key limited to instances or teams narrows its user's scope to those.

The scope is resolved to concrete ids once per request, so each query filters with one
``IN``; objects outside it are answered as if they did not exist (404, never 403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from evodash.instances.models import EvolutionInstance
from evodash.teams.models import TeamInstance, TeamMember, TeamServer
from evodash.users.models import ApiKey, Role, User

#: A column holding an instance's or a server's id.
Column = InstrumentedAttribute[Any] | ColumnElement[Any]


class Subject(BaseModel):
    """What something is about, for scoping: an instance (its server may be named too), a
    server, or neither (fleet-wide: unlimited scopes only). Realtime events carry one
    (``subject``), alerts have one, and :meth:`Scope.sees` decides for all of them."""

    model_config = ConfigDict(frozen=True)

    instance_id: int | None = Field(default=None, description="The instance it is about")
    server_id: int | None = Field(
        default=None, description="The server it is about (or the instance's server)"
    )


@dataclass(frozen=True, slots=True)
class Scope:
    """``None`` means every one; a set means those only."""

    instance_ids: frozenset[int] | None = None
    server_ids: frozenset[int] | None = None
    #: Servers held as a whole (instances may be created or imported there).
    held_server_ids: frozenset[int] | None = None
    #: The teams this scope came from (recorded in audit entries); empty when unlimited.
    team_ids: tuple[int, ...] = ()

    @property
    def unlimited(self) -> bool:
        return self.instance_ids is None

    def sees_instance(self, instance_id: int) -> bool:
        return self.instance_ids is None or instance_id in self.instance_ids

    def sees_server(self, server_id: int) -> bool:
        return self.server_ids is None or server_id in self.server_ids

    def sees(self, subject: Subject) -> bool:
        """Whether this scope sees what ``subject`` names: an instance decides by itself
        (not by its server), a server by itself, and nothing named means fleet-wide."""
        if self.unlimited:
            return True
        if subject.instance_id is not None:
            return self.sees_instance(subject.instance_id)
        if subject.server_id is not None:
            return self.sees_server(subject.server_id)
        return False

    def holds_server(self, server_id: int) -> bool:
        return self.held_server_ids is None or server_id in self.held_server_ids

    def visible(self, wanted: list[int] | None) -> list[int] | None:
        """``wanted`` ids limited to the scope (``None``: every one in scope)."""
        if self.instance_ids is None:
            return wanted
        if wanted is None:
            return sorted(self.instance_ids)
        return [i for i in wanted if i in self.instance_ids]

    def instances(self, column: Column) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose instance id (``column``) is in scope."""
        if self.instance_ids is None:
            return true()
        return column.in_(sorted(self.instance_ids))

    def servers(self, column: Column) -> ColumnElement[bool]:
        if self.server_ids is None:
            return true()
        return column.in_(sorted(self.server_ids))

    def audit(self) -> dict[str, object] | None:
        """What an audit entry records of the scope (``None`` when unlimited)."""
        if self.unlimited:
            return None
        return {"teams": list(self.team_ids), "instances": len(self.instance_ids or ())}


EVERYTHING = Scope()


async def _resolve(
    session: AsyncSession, team_ids: Iterable[int], instance_ids: Iterable[int]
) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """Instances and servers visible, and servers held, through ``team_ids`` plus
    ``instance_ids``."""
    teams = sorted(set(team_ids))
    direct = set(instance_ids)
    server_ids: set[int] = set()
    if teams:
        direct |= set(
            (
                await session.scalars(
                    select(TeamInstance.instance_id).where(TeamInstance.team_id.in_(teams))
                )
            ).all()
        )
        server_ids = set(
            (
                await session.scalars(
                    select(TeamServer.server_id).where(TeamServer.team_id.in_(teams))
                )
            ).all()
        )
    i = EvolutionInstance
    clauses = []
    if direct:
        clauses.append(i.id.in_(sorted(direct)))
    if server_ids:
        clauses.append(i.server_id.in_(sorted(server_ids)))
    if not clauses:
        return frozenset(), frozenset(), frozenset()
    rows = (await session.execute(select(i.id, i.server_id).where(or_(*clauses)))).all()
    instances = frozenset(row[0] for row in rows)
    # The servers of visible instances are visible too (their names, not their siblings).
    servers = frozenset(server_ids | {row[1] for row in rows})
    return instances, servers, frozenset(server_ids)


async def team_instance_ids(session: AsyncSession, team_id: int) -> frozenset[int]:
    """Every instance ``team_id`` holds, directly or through its servers."""
    instances, _, _ = await _resolve(session, [team_id], ())
    return instances


async def team_ids_of(session: AsyncSession, user_id: int) -> list[int]:
    return list(
        (
            await session.scalars(
                select(TeamMember.team_id)
                .where(TeamMember.user_id == user_id)
                .order_by(TeamMember.team_id)
            )
        ).all()
    )


async def scope_for(session: AsyncSession, user: User, api_key: ApiKey | None = None) -> Scope:
    """The scope of ``user`` (through ``api_key`` when the request used one)."""
    user_scope = EVERYTHING
    if user.role != Role.admin.value:
        teams = await team_ids_of(session, user.id)
        if teams:
            instances, servers, held = await _resolve(session, teams, ())
            user_scope = Scope(instances, servers, held, tuple(teams))
    if api_key is None or not (api_key.instance_ids or api_key.team_ids):
        return user_scope
    key_instances, key_servers, key_held = await _resolve(
        session, api_key.team_ids, api_key.instance_ids
    )
    if user_scope.instance_ids is not None:
        key_instances &= user_scope.instance_ids
        key_servers &= user_scope.server_ids or frozenset()
        key_held &= user_scope.held_server_ids or frozenset()
    key_teams = tuple(sorted(set(api_key.team_ids) | set(user_scope.team_ids)))
    return Scope(key_instances, key_servers, key_held, key_teams)
