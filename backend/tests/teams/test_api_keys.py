"""API keys limited to reads, to operations, to instances or teams."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.auth.operations import GENERAL_READ, OTHER, Operation, operation_of
from evodash.users.models import AuditLog, User
from tests.factories import UserFactory
from tests.teams.test_scope import ROUTES
from tests.teams.worlds import World, build

AsUser = Callable[[Any], Awaitable[dict[str, str]]]
# Reconnect links' public routes take no credentials (their token is the access).
WRITES = [
    (m, p)
    for m, p in ROUTES
    if m not in ("GET", "HEAD", "OPTIONS") and not p.startswith("/api/public/")
]


async def _key(client: httpx.AsyncClient, headers: dict[str, str], **limits: Any) -> str:
    response = await client.post(
        "/api/auth/api-keys", json={"name": "integração", **limits}, headers=headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


@pytest.fixture
async def admin(users: UserFactory) -> User:
    return await users.admin(username="root")


@pytest.fixture
async def world(db: async_sessionmaker[AsyncSession]) -> World:
    return await build(db)


@pytest.mark.parametrize(("method", "path"), WRITES)
async def test_a_read_only_key_gets_403_on_every_write(
    client: httpx.AsyncClient,
    as_user: AsUser,
    admin: User,
    world: World,
    method: str,
    path: str,
) -> None:
    # Created once per test: an admin's read-only key (the widest role, the narrowest key).
    key = await _key(client, await as_user(admin), read_only=True)
    concrete = re.sub(r"\{(\w+)\}", str(world.instance_a), path)
    response = await client.request(method, concrete, headers={"X-API-Key": key}, json={})
    assert response.status_code == 403, f"{method} {path}: {response.status_code}"
    assert response.json()["error"] == "api_key_read_only"


async def test_a_read_only_key_reads(
    client: httpx.AsyncClient, as_user: AsUser, admin: User, world: World
) -> None:
    key = await _key(client, await as_user(admin), read_only=True)
    for path in ("/api/instances", "/api/messages", "/api/stats/overview", "/api/users"):
        response = await client.get(path, headers={"X-API-Key": key})
        assert response.status_code == 200, path


async def test_an_instance_key_sees_only_its_instance(
    client: httpx.AsyncClient, as_user: AsUser, admin: User, world: World
) -> None:
    key = await _key(client, await as_user(admin), instance_ids=[world.instance_a])
    headers = {"X-API-Key": key}
    listed = (await client.get("/api/instances", headers=headers)).json()
    assert [i["id"] for i in listed["items"]] == [world.instance_a]
    assert (
        await client.get(f"/api/instances/{world.instance_b}", headers=headers)
    ).status_code == 404
    messages = (await client.get("/api/messages", headers=headers)).json()
    assert [m["id"] for m in messages["items"]] == [world.message_a]
    servers = (await client.get("/api/servers", headers=headers)).json()
    assert [s["id"] for s in servers["items"]] == [world.server_a]


async def test_a_team_key_sees_the_teams_instances(
    client: httpx.AsyncClient, as_user: AsUser, admin: User, world: World
) -> None:
    key = await _key(client, await as_user(admin), team_ids=[world.team_a])
    listed = (await client.get("/api/instances", headers={"X-API-Key": key})).json()
    assert {i["id"] for i in listed["items"]} == {world.instance_a, world.instance_shared}


async def test_operations_limit_what_a_key_does(
    client: httpx.AsyncClient, as_user: AsUser, admin: User, world: World
) -> None:
    key = await _key(client, await as_user(admin), operations=["send_messages"])
    headers = {"X-API-Key": key}
    # Plain reads of instances and figures are always allowed.
    assert (await client.get("/api/instances", headers=headers)).status_code == 200
    denied = await client.get("/api/messages", headers=headers)
    assert denied.status_code == 403 and denied.json()["error"] == "api_key_operation_denied"
    patch = await client.patch(
        f"/api/instances/{world.instance_a}", json={"display_name": "x"}, headers=headers
    )
    assert patch.status_code == 403
    # Sending is its operation: it gets past the key (the fake server is unreachable).
    sent = await client.post(
        f"/api/instances/{world.instance_a}/messages",
        json={"number": "5511988887777", "text": "oi"},
        headers=headers,
    )
    assert sent.status_code not in (401, 403), sent.text
    assert (await client.get("/api/users", headers=headers)).status_code == 403


def test_routes_map_to_operations() -> None:
    assert operation_of("POST", "/api/instances/{instance_id}/messages") == Operation.send_messages
    assert operation_of("GET", "/api/messages/{message_id}") == Operation.read_messages
    assert operation_of("GET", "/api/instances/{instance_id}/messages") == Operation.read_messages
    assert operation_of("POST", "/api/instances/{instance_id}/restart") == (
        Operation.manage_instances
    )
    assert operation_of("GET", "/api/instances") == GENERAL_READ
    assert operation_of("POST", "/api/users") == OTHER
    assert operation_of("GET", "/api/audit") == OTHER


async def test_a_key_is_never_wider_than_its_user(
    client: httpx.AsyncClient,
    as_user: AsUser,
    users: UserFactory,
    world: World,
    db: async_sessionmaker[AsyncSession],
) -> None:
    from evodash.teams.models import TeamMember

    member = await users.operator(username="ana-a")
    async with db() as s:
        s.add(TeamMember(team_id=world.team_a, user_id=member.id))
        await s.commit()
    headers = await as_user(member)
    for limits in ({"instance_ids": [world.instance_b]}, {"team_ids": [world.team_b]}):
        answer = await client.post(
            "/api/auth/api-keys", json={"name": "k", **limits}, headers=headers
        )
        assert answer.status_code == 404, answer.text
    key = await _key(client, headers)
    listed = (await client.get("/api/instances", headers={"X-API-Key": key})).json()
    assert listed["total"] == 2  # the user's scope, not more


async def test_a_key_made_by_a_limited_key_is_as_limited(
    client: httpx.AsyncClient, as_user: AsUser, admin: User, world: World
) -> None:
    parent = await _key(
        client,
        await as_user(admin),
        read_only=False,
        operations=["read_messages"],
        instance_ids=[world.instance_a],
        can_create_keys=True,
    )
    child = await client.post(
        "/api/auth/api-keys",
        json={"name": "filha", "operations": ["read_messages", "send_messages"]},
        headers={"X-API-Key": parent},
    )
    assert child.status_code == 201, child.text
    body = child.json()["api_key"]
    assert body["operations"] == ["read_messages"]
    assert body["instance_ids"] == [world.instance_a]


async def test_writes_with_a_key_are_attributed_in_the_audit_log(
    client: httpx.AsyncClient,
    as_user: AsUser,
    admin: User,
    world: World,
    db: async_sessionmaker[AsyncSession],
) -> None:
    created = await client.post(
        "/api/auth/api-keys", json={"name": "erp"}, headers=await as_user(admin)
    )
    key, key_id = created.json()["key"], created.json()["api_key"]["id"]
    answer = await client.post("/api/teams", json={"name": "Cliente C"}, headers={"X-API-Key": key})
    assert answer.status_code == 201, answer.text
    async with db() as s:
        entry = (await s.scalars(select(AuditLog).where(AuditLog.action == "team.created"))).one()
    assert entry.detail is not None
    assert entry.detail["api_key_id"] == key_id and entry.detail["api_key_name"] == "erp"


async def test_a_key_limited_to_instances_or_teams_has_no_admin_rights(
    client: httpx.AsyncClient, as_user: AsUser, users: UserFactory, admin: User, world: World
) -> None:
    """Such a key acts as a team member would: what needs the admin role is fleet-wide
    (teams, users, the audit log, backups, metrics, deleting), outside any scope."""
    headers = await as_user(admin)
    other_admin = await as_user(await users.admin(username="outra"))
    operation = await client.post(
        "/api/bulk-operations",
        json={"action": "restart", "instance_ids": [world.instance_b]},
        headers=other_admin,
    )
    assert operation.status_code == 201, operation.text
    unlimited = {"X-API-Key": await _key(client, headers)}
    for limits in ({"instance_ids": [world.instance_a]}, {"team_ids": [world.team_a]}):
        limited = {"X-API-Key": await _key(client, headers, **limits)}
        for method, path, body in [
            ("GET", "/api/teams", None),
            ("GET", "/api/users", None),
            ("GET", "/api/audit", None),
            ("GET", "/metrics", None),
            ("POST", "/api/backups/export", {}),
            ("DELETE", f"/api/instances/{world.instance_a}", None),
            (
                "POST",
                "/api/bulk-operations",
                {"action": "delete", "instance_ids": [world.instance_a], "confirmation": "1"},
            ),
        ]:
            answer = await client.request(method, path, json=body, headers=limited)
            assert answer.status_code == 403, f"{limits} {method} {path}: {answer.text}"
            assert answer.json()["error"] == "api_key_scope_denied"
            assert "ZEBRA" not in answer.text
        # Another admin's operation is not the key's to see (its owner's unlimited key may).
        hidden = await client.get(f"/api/bulk-operations/{operation.json()['id']}", headers=limited)
        assert hidden.status_code == 404
        # What a team member may do, it does: within its scope.
        listed = await client.get("/api/instances", headers=limited)
        assert listed.status_code == 200 and world.instance_b not in {
            i["id"] for i in listed.json()["items"]
        }
    # The same admin's unlimited key keeps the admin's rights.
    for path in ("/api/teams", "/api/users", "/api/audit", "/metrics"):
        assert (await client.get(path, headers=unlimited)).status_code == 200, path
    seen = await client.get(f"/api/bulk-operations/{operation.json()['id']}", headers=unlimited)
    assert [i["instance_id"] for i in seen.json()["items"]] == [world.instance_b]
