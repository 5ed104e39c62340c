"""Admins manage teams: their members, servers and instances."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.teams.schemas import MAX_INSTANCES
from tests.factories import UserFactory
from tests.teams.worlds import MARKER, World, build

AsUser = Callable[[Any], Awaitable[dict[str, str]]]


@pytest.fixture
async def world(db: async_sessionmaker[AsyncSession]) -> World:
    return await build(db)


async def test_create_change_read_and_delete(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory, world: World
) -> None:
    headers = await as_user(await users.admin())
    ana = await users.operator(username="ana")
    created = await client.post(
        "/api/teams",
        json={
            "name": "  Padaria Central ",
            "user_ids": [ana.id, ana.id],
            "server_ids": [world.server_a],
            "instance_ids": [world.instance_b],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    team = created.json()
    assert team["name"] == "Padaria Central"
    assert (team["user_ids"], team["server_ids"], team["instance_ids"]) == (
        [ana.id],
        [world.server_a],
        [world.instance_b],
    )
    changed = await client.patch(
        f"/api/teams/{team['id']}",
        json={"description": "cliente desde 2024", "server_ids": []},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.json()["server_ids"] == [] and changed.json()["user_ids"] == [ana.id]
    listed = (await client.get("/api/teams", headers=headers)).json()
    assert "Padaria Central" in [t["name"] for t in listed["items"]]
    assert (await client.delete(f"/api/teams/{team['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"/api/teams/{team['id']}", headers=headers)).status_code == 404


async def test_unknown_members_are_refused_and_change_nothing(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory, world: World
) -> None:
    headers = await as_user(await users.admin())
    for field in ("user_ids", "server_ids", "instance_ids"):
        answer = await client.patch(
            f"/api/teams/{world.team_a}", json={field: [999_999]}, headers=headers
        )
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == "team_member_not_found"
    team = (await client.get(f"/api/teams/{world.team_a}", headers=headers)).json()
    assert team["server_ids"] == [world.server_a]


async def test_lists_are_bounded(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory
) -> None:
    headers = await as_user(await users.admin())
    answer = await client.post(
        "/api/teams",
        json={"name": "grande", "instance_ids": list(range(1, MAX_INSTANCES + 2))},
        headers=headers,
    )
    assert answer.status_code == 422


async def test_only_admins_manage_teams(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory, world: World
) -> None:
    headers = await as_user(await users.operator())
    assert (await client.get("/api/teams", headers=headers)).status_code == 403
    answer = await client.post("/api/teams", json={"name": "x"}, headers=headers)
    assert answer.status_code == 403


@pytest.mark.commits
async def test_two_creates_of_one_name_make_one_team(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory
) -> None:
    headers = await as_user(await users.admin())
    answers = await asyncio.gather(
        *[client.post("/api/teams", json={"name": "Mesmo nome"}, headers=headers) for _ in range(4)]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and set(codes) <= {201, 409}, codes


async def test_renaming_to_a_taken_name_is_a_conflict_and_changes_nothing(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory, world: World
) -> None:
    headers = await as_user(await users.admin())
    answer = await client.patch(
        f"/api/teams/{world.team_a}",
        json={"name": f"Cliente {MARKER}", "description": "nova", "instance_ids": []},
        headers=headers,
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "team_name_taken"
    team = (await client.get(f"/api/teams/{world.team_a}", headers=headers)).json()
    assert (team["name"], team["description"]) == ("Cliente A", "")
    assert team["instance_ids"] == [world.instance_shared]
