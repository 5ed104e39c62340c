"""A member of team A never learns of team B's servers, instances, messages or jobs.

The walk covers every route of the app (new routes are covered without listing them), for
each role a team member can have (operator and viewer) and for an API key limited to the
team: reads answer without anything of
B's (its names carry a marker), and any route given one of B's ids answers exactly as it
does for an id that does not exist (404, or 403 where the role alone forbids the route).
Exports (CSV) and searches are walked too, and audit entries record the scope.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.main import create_app
from evodash.realtime.router import in_scope
from evodash.teams.models import TeamMember
from evodash.teams.scope import EVERYTHING, Scope, scope_for
from evodash.users.models import AuditLog, User
from tests.factories import UserFactory
from tests.teams.worlds import MARKER, World, build

AsUser = Callable[[Any], Awaitable[dict[str, str]]]
SKIP = ("/api/webhooks/", "/api/auth/login", "/api/auth/token", "/_sim")


def _routes() -> list[tuple[str, str]]:
    found = []
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path and not context.path.startswith(SKIP):
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", context.path)
            found.extend((m, path) for m in sorted(context.methods or ()))
    return sorted(found)


ROUTES = _routes()
READS = [(m, p) for m, p in ROUTES if m == "GET"]
WITH_INSTANCE = [(m, p) for m, p in ROUTES if "{instance_id}" in p]
WITH_SERVER = [(m, p) for m, p in ROUTES if "{server_id}" in p]


#: An id no row has.
UNKNOWN = 987_654


def _fill(path: str, world: World, *, theirs: bool, unknown: bool = False) -> str:
    ids = {
        "instance_id": world.instance_b if theirs else world.instance_a,
        "server_id": world.server_c if theirs else world.server_a,
        "message_id": world.message_b if theirs else world.message_a,
        "job_id": world.job_b if theirs else world.job_a,
    }
    if unknown:
        ids = dict.fromkeys(ids, UNKNOWN)
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


@pytest.fixture(params=["operator", "viewer"])
async def member(users: UserFactory, request: pytest.FixtureRequest) -> User:
    """Team A's member, in each role a member can have (the walks run once per role)."""
    make = users.operator if request.param == "operator" else users.viewer
    return await make(username="ana-a")


@pytest.fixture
async def world(db: async_sessionmaker[AsyncSession], member: User) -> World:
    return await build(db, members_a=[member])


@dataclass(frozen=True)
class Walker:
    world: World
    headers: dict[str, str]


@pytest.fixture(params=["operator", "viewer", "team key"])
async def walker(
    request: pytest.FixtureRequest,
    client: httpx.AsyncClient,
    as_user: AsUser,
    users: UserFactory,
    db: async_sessionmaker[AsyncSession],
) -> Walker:
    """Who walks the routes: team A's member in each role, or an admin's API key limited to
    team A (the widest user, narrowed by the key alone)."""
    if request.param == "team key":
        world = await build(db)
        admin = await as_user(await users.admin(username="chave-a"))
        created = await client.post(
            "/api/auth/api-keys",
            json={"name": "time A", "team_ids": [world.team_a]},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        return Walker(world, {"X-API-Key": created.json()["key"]})
    make = users.operator if request.param == "operator" else users.viewer
    user = await make(username="ana-a")
    return Walker(await build(db, members_a=[user]), await as_user(user))


def test_the_walk_covers_the_data_routes() -> None:
    paths = {p for _, p in READS}
    for expected in ("/api/instances", "/api/messages", "/api/jobs", "/api/stats/overview"):
        assert expected in paths
    assert len(WITH_INSTANCE) >= 10


@pytest.mark.parametrize(("method", "path"), READS)
async def test_reads_show_nothing_of_another_team(
    client: httpx.AsyncClient, walker: Walker, method: str, path: str
) -> None:
    response = await client.get(_fill(path, walker.world, theirs=False), headers=walker.headers)
    assert response.status_code < 500, response.text
    assert MARKER not in response.text, f"{path} leaks: {response.text[:300]}"
    assert MARKER.lower() not in response.text.lower()


@pytest.mark.parametrize(("method", "path"), WITH_INSTANCE + WITH_SERVER)
async def test_another_teams_ids_do_not_exist(
    client: httpx.AsyncClient, walker: Walker, method: str, path: str
) -> None:
    world, headers = walker.world, walker.headers
    response = await client.request(
        method, _fill(path, world, theirs=True), headers=headers, json={}
    )
    # 403 only where the role alone forbids the route (the same answer for any id).
    assert response.status_code in (403, 404), f"{method} {path}: {response.status_code}"
    assert MARKER.lower() not in response.text.lower()
    # Nothing tells B's ids from ids that do not exist.
    unknown = await client.request(
        method, _fill(path, world, theirs=True, unknown=True), headers=headers, json={}
    )
    assert (response.status_code, response.json().get("error")) == (
        unknown.status_code,
        unknown.json().get("error"),
    ), f"{method} {path}: {response.text} / {unknown.text}"


async def test_lists_and_figures_are_the_teams(
    client: httpx.AsyncClient, as_user: AsUser, member: User, world: World
) -> None:
    headers = await as_user(member)
    instances = (await client.get("/api/instances", headers=headers)).json()
    assert {i["id"] for i in instances["items"]} == {world.instance_a, world.instance_shared}
    assert instances["total"] == 2
    servers = (await client.get("/api/servers", headers=headers)).json()
    # Server B shows because one of its instances is the team's; it counts only that one.
    assert {s["id"]: s["instance_count"] for s in servers["items"]} == {
        world.server_a: 1,
        world.server_b: 1,
    }
    stats = (await client.get("/api/stats/overview", headers=headers)).json()
    assert stats["instances_total"] == 2 and stats["servers"] == 2
    assert stats["messages"]["total"] == 1
    assert sum(stats["jobs_by_status"].values()) == 1
    messages = (await client.get("/api/messages", headers=headers)).json()
    assert [m["id"] for m in messages["items"]] == [world.message_a]
    jobs = (await client.get("/api/jobs", headers=headers)).json()
    assert [j["id"] for j in jobs["items"]] == [world.job_a]
    alerts = (await client.get("/api/alerts", headers=headers)).json()
    assert [a["subject_id"] for a in alerts["items"]] == [world.instance_a]
    bell = (await client.get("/api/alerts/summary", headers=headers)).json()
    assert bell["firing"] == 1


async def test_admins_and_members_of_no_team_see_everything(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory, world: World
) -> None:
    for user in (await users.admin(), await users.viewer(username="sem-time")):
        response = await client.get("/api/instances", headers=await as_user(user))
        assert response.json()["total"] == 4


async def test_a_server_held_by_the_team_shows_its_new_instances(
    client: httpx.AsyncClient,
    as_user: AsUser,
    member: User,
    world: World,
    db: async_sessionmaker[AsyncSession],
) -> None:
    from evodash.instances.models import EvolutionInstance

    async with db() as s:
        s.add(EvolutionInstance(server_id=world.server_a, display_name="Nova", name="nova"))
        await s.commit()
    response = await client.get("/api/instances", headers=await as_user(member))
    assert response.json()["total"] == 3


async def test_team_changes_apply_at_the_next_request(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory, member: User, world: World
) -> None:
    admin = await as_user(await users.admin())
    headers = await as_user(member)
    answer = await client.patch(
        f"/api/teams/{world.team_a}", json={"instance_ids": []}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    visible = (await client.get("/api/instances", headers=headers)).json()
    assert {i["id"] for i in visible["items"]} == {world.instance_a}
    assert (
        await client.get(f"/api/instances/{world.instance_shared}", headers=headers)
    ).status_code == 404


async def test_realtime_events_reach_the_scope_only(
    db: async_sessionmaker[AsyncSession], member: User, world: World
) -> None:
    async with db() as s:
        scope = await scope_for(s, member)

    def about(kind: str, **subject: int | None) -> dict[str, object]:
        return {"type": kind, "data": {}, "subject": subject}

    a, b = world.instance_a, world.instance_b
    assert in_scope(about("instance.updated", instance_id=a, server_id=world.server_a), scope)
    assert not in_scope(about("instance.updated", instance_id=b, server_id=world.server_c), scope)
    # An instance decides by itself: a server seen for its other instance lets nothing in.
    sibling = world.instance_b_sibling
    assert not in_scope(about("instance.qr", instance_id=sibling, server_id=world.server_b), scope)
    assert in_scope(about("message.created", instance_id=a), scope)
    assert not in_scope(about("job.updated", instance_id=b), scope)
    assert not in_scope(about("job.updated", instance_id=None), scope)
    assert in_scope(about("server.updated", server_id=world.server_b), scope)
    assert not in_scope(about("server.updated", server_id=world.server_c), scope)
    # Events that name nothing (fleet-wide) or no readable subject reach unlimited scopes only.
    assert not in_scope(about("something.new"), scope)
    assert not in_scope({"type": "something.new", "data": {"instance_id": a}}, scope)
    assert not in_scope({"type": "x", "subject": {"instance_id": "a"}}, scope)
    assert in_scope(about("something.new"), EVERYTHING)
    assert Scope(frozenset(), frozenset()).visible(None) == []
    assert in_scope(about("alert.fired", instance_id=a), scope)
    assert not in_scope(about("alert.fired", instance_id=b), scope)


async def test_bulk_event_selection_treats_another_teams_instances_as_unknown(
    client: httpx.AsyncClient, as_user: AsUser, member: User, world: World
) -> None:
    response = await client.post(
        "/api/instances/webhook-events",
        json={"instance_ids": [world.instance_b, world.instance_b_sibling], "events": ["CALL"]},
        headers=await as_user(member),
    )
    if member.role == "viewer":
        # The role forbids the route, whatever the ids.
        assert response.status_code == 403, response.text
        return
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["succeeded"], report["failed"]) == (0, 2)
    assert {i["error"] for i in report["items"]} == {"instance_not_found"}
    assert MARKER not in response.text


def _exports() -> list[str]:
    """Every read that answers CSV with ``format=csv`` (new exports are walked too)."""
    paths = create_app().openapi()["paths"]
    return sorted(
        path
        for path, operations in paths.items()
        if "{" not in path
        and any(p["name"] == "format" for p in operations.get("get", {}).get("parameters", []))
    )


EXPORTS = _exports()
#: Searches that could find B's things by their text: (path, query).
SEARCHES = [
    ("/api/instances", {"search": MARKER}),
    ("/api/instances", {"search": "5511999990000"}),
    ("/api/messages", {"q": "segredo"}),
    ("/api/messages", {"q": MARKER}),
]


async def test_exports_and_searches_show_nothing_of_another_team(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory, member: User, world: World
) -> None:
    assert len(EXPORTS) >= 5 and "/api/invoices" in EXPORTS
    mine, admins = await as_user(member), await as_user(await users.admin())
    leaked, not_found = [], []
    for path, query in [(p, {"format": "csv"}) for p in EXPORTS] + SEARCHES:
        response = await client.get(path, params=query, headers=mine)
        if response.status_code == 403 and path == "/api/audit":
            continue  # admins only: the role alone forbids it
        assert response.status_code == 200, f"{path} {query}: {response.text[:200]}"
        if MARKER.lower() in response.text.lower():
            leaked.append(f"{path} {query}")
        everything = await client.get(path, params=query, headers=admins)
        if MARKER.lower() not in everything.text.lower():
            not_found.append(f"{path} {query}")
    assert leaked == []
    # Not vacuous: every search finds B's things for an admin (exports may not name them).
    assert not [x for x in not_found if "format" not in x], not_found


async def test_audit_entries_record_the_scope(
    client: httpx.AsyncClient,
    as_user: AsUser,
    users: UserFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await build(db)  # not the member fixture's: one run, not one per role
    operator = await users.operator(username="ana-op")
    async with db() as s:
        s.add(TeamMember(team_id=world.team_a, user_id=operator.id))
        await s.commit()
    changed = await client.patch(
        f"/api/instances/{world.instance_a}",
        json={"display_name": "Loja A (matriz)"},
        headers=await as_user(operator),
    )
    assert changed.status_code == 200, changed.text
    admin = await users.admin(username="raiz")
    renamed = await client.patch(
        f"/api/instances/{world.instance_b}",
        json={"display_name": "Loja B (matriz)"},
        headers=await as_user(admin),
    )
    assert renamed.status_code == 200, renamed.text
    async with db() as s:
        entries = (
            await s.scalars(
                select(AuditLog).where(AuditLog.action == "instance.updated").order_by(AuditLog.id)
            )
        ).all()
    assert [(e.user_id, e.object_id) for e in entries] == [
        (operator.id, str(world.instance_a)),
        (admin.id, str(world.instance_b)),
    ]
    # The member acted within team A; the admin's scope is unlimited (nothing recorded).
    assert entries[0].detail is not None and entries[0].detail["scope_teams"] == [world.team_a]
    assert "scope_teams" not in (entries[1].detail or {})
