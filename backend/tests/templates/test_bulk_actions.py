"""Bulk disconnect, restart, delete (typed confirmation) and webhook re-apply, and the
team scope of bulk operations and previews, against the simulator over loopback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.instances.models import InstanceStatus
from tests.factories import UserFactory
from tests.instances.helpers import HeadersFor, audit_actions, get_row
from tests.simulator_server import RunningSimulator
from tests.templates.fleet import Fleet, build_fleet, post

pytestmark = pytest.mark.usefixtures("db")
Db = async_sessionmaker[AsyncSession]


@pytest.fixture
async def fleet(db: Db, settings: Any, running_simulator: RunningSimulator) -> Fleet:
    return await build_fleet(db, settings, running_simulator, 3, prefix="bulk")


async def _run(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    created = await post(client, "/api/bulk-operations", headers, body)
    done: dict[str, Any] = await post(client, f"/api/bulk-operations/{created['id']}/run", headers)
    return done


def _states(done: dict[str, Any]) -> dict[int, str]:
    return {item["instance_id"]: item["state"] for item in done["items"]}


class TestDelete:
    async def test_needs_the_admin_and_the_typed_count(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        operator: dict[str, str],
        fleet: Fleet,
        running_simulator: RunningSimulator,
        db: Db,
    ) -> None:
        template = await post(client, "/api/templates", admin, {"name": "T", "events": []})
        await _run(
            client,
            admin,
            {"action": "template", "template_id": template["id"], "instance_ids": fleet.ids},
        )
        body: dict[str, Any] = {"action": "delete", "instance_ids": fleet.ids}
        refused = await client.post(
            "/api/bulk-operations", json={**body, "confirmation": "3"}, headers=operator
        )
        assert refused.status_code == 403
        for wrong in (None, "2", "three", ""):
            response = await client.post(
                "/api/bulk-operations", json={**body, "confirmation": wrong}, headers=admin
            )
            assert response.status_code == 422, wrong
            assert response.json()["error"] == "confirmation_mismatch"
            assert response.json()["expected"] == "3"
        done = await _run(client, admin, {**body, "confirmation": " 3 "})
        assert set(_states(done).values()) == {"ok"}
        assert await running_simulator.names() == set()
        for instance in fleet.instances:
            assert (await get_row(db, instance.id)).deleted_at is not None
        # The results outlive the instances; the instances are gone from the list.
        again = await client.get(f"/api/bulk-operations/{done['id']}", headers=admin)
        assert again.json()["total"] == 3
        listed = (await client.get("/api/instances", headers=admin)).json()
        assert listed["total"] == 0
        # A deleted instance no longer counts as following its template.
        read = (await client.get(f"/api/templates/{template['id']}", headers=admin)).json()
        assert read["linked"] == 0
        assert (await client.get("/api/templates/drift", headers=admin)).json() == []
        actions = await audit_actions(db)
        assert actions.count("instance.deleted") == 3 and "bulk.delete" in actions


class TestActions:
    async def test_disconnect_restart_and_webhook_give_a_result_each(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        fleet: Fleet,
        running_simulator: RunningSimulator,
        db: Db,
    ) -> None:
        sim = running_simulator
        connected = fleet.instances[0]
        await sim.request("GET", f"/instance/connect/{connected.name}")
        await sim.scan(connected.name)

        restarted = await _run(client, operator, {"action": "restart", "instance_ids": fleet.ids})
        states = _states(restarted)
        assert states[connected.id] == "ok"
        # Evolution refuses to restart a closed instance: those fail, with the reason.
        closed = [i for i in restarted["items"] if i["instance_id"] != connected.id]
        assert {i["state"] for i in closed} == {"failed"}
        assert {i["error"] for i in closed} == {"instance_not_connected"}
        assert (await get_row(db, connected.id)).status == InstanceStatus.connecting.value

        disconnected = await _run(
            client, operator, {"action": "disconnect", "instance_ids": fleet.ids}
        )
        states = _states(disconnected)
        assert states[connected.id] == "ok"
        assert [states[i.id] for i in fleet.instances[1:]] == ["unchanged", "unchanged"]
        assert (await sim.instance(connected.name))["state"] == "close"  # type: ignore[index]

        rewired = await _run(client, operator, {"action": "webhook", "instance_ids": fleet.ids})
        assert set(_states(rewired).values()) == {"ok"}
        for instance in fleet.instances:
            hook = await sim.webhook(instance.name)
            assert hook is not None
            assert hook["url"].endswith(f"/api/webhooks/evolution/{instance.id}")
        actions = await audit_actions(db)
        assert "instance.disconnect" in actions and "instance.webhook_applied" in actions

    async def test_viewers_cannot_and_unknown_ids_are_404(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        viewer: dict[str, str],
        fleet: Fleet,
    ) -> None:
        body = {"action": "restart", "instance_ids": fleet.ids}
        assert (
            await client.post("/api/bulk-operations", json=body, headers=viewer)
        ).status_code == 403
        unknown = {"action": "restart", "instance_ids": [*fleet.ids, 999_999]}
        response = await client.post("/api/bulk-operations", json=unknown, headers=operator)
        assert response.status_code == 404
        missing = await client.post("/api/bulk-operations/999999/run", headers=operator)
        assert missing.status_code == 404
        bad = {"action": "template", "instance_ids": fleet.ids}
        assert (
            await client.post("/api/bulk-operations", json=bad, headers=operator)
        ).status_code == 422


class TestScope:
    async def test_a_team_member_acts_on_the_teams_instances_only(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        users: UserFactory,
        as_user: HeadersFor,
        fleet: Fleet,
    ) -> None:
        mine, theirs = fleet.instances[0], fleet.instances[1]
        member = await users.operator(username="ana-team")
        team = await post(
            client,
            "/api/teams",
            admin,
            {"name": "Time A", "user_ids": [member.id], "instance_ids": [mine.id]},
        )
        headers = await as_user(member)
        template = await post(client, "/api/templates", admin, {"name": "T", "events": ["CALL"]})

        outside = {"instance_ids": [mine.id, theirs.id]}
        preview = await client.post(
            f"/api/templates/{template['id']}/preview", json=outside, headers=headers
        )
        assert preview.status_code == 404
        create = await client.post(
            "/api/bulk-operations",
            json={"action": "template", "template_id": template["id"], **outside},
            headers=headers,
        )
        assert create.status_code == 404

        # By team: the team's instances only.
        by_team = await post(
            client,
            f"/api/templates/{template['id']}/preview",
            headers,
            {"team_id": team["id"]},
        )
        assert [i["instance_id"] for i in by_team["items"]] == [mine.id]
        done = await _run(
            client,
            headers,
            {"action": "template", "template_id": template["id"], "team_id": team["id"]},
        )
        assert _states(done) == {mine.id: "ok"}

        # The admin's operation over all three is not the member's to see.
        others = await _run(
            client,
            admin,
            {"action": "template", "template_id": template["id"], "instance_ids": fleet.ids},
        )
        hidden = await client.get(f"/api/bulk-operations/{others['id']}", headers=headers)
        assert hidden.status_code == 404
        drift = (await client.get("/api/templates/drift", headers=headers)).json()
        assert [d["instance_id"] for d in drift] == [mine.id]
        listed = (await client.get("/api/templates", headers=headers)).json()
        assert listed["items"][0]["linked"] == 1
