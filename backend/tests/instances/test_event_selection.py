"""Event selection: which Evolution events an instance's webhook subscribes to, at
creation, on edit and in bulk, against the simulator over real HTTP on loopback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.evolution.models import WEBHOOK_EVENTS
from evodash.instances.webhook_setup import REQUIRED_EVENTS
from tests.instances.helpers import audit_actions, get_row, register_server
from tests.simulator_server import RunningSimulator

pytestmark = pytest.mark.usefixtures("db")
Db = async_sessionmaker[AsyncSession]


def required_and(*extra: str) -> list[str]:
    return [n for n in WEBHOOK_EVENTS if n in set(REQUIRED_EVENTS) | set(extra)]


@pytest.fixture
async def server(
    client: httpx.AsyncClient, admin: dict[str, str], running_simulator: RunningSimulator
) -> dict[str, Any]:
    return await register_server(
        client, admin, running_simulator.base_url, running_simulator.api_key, "sim"
    )


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], server_id: int, name: str, **extra: Any
) -> dict[str, Any]:
    body = {"display_name": name, "name": name, "server_id": server_id, **extra}
    response = await client.post("/api/instances", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def _subscribed(sim: RunningSimulator, name: str) -> list[str]:
    hook = await sim.webhook(name)
    assert hook is not None
    return sorted(hook["events"])


async def test_the_catalog_lists_every_event_and_marks_the_required_ones(
    client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    response = await client.get("/api/instances/webhook-events", headers=viewer)
    assert response.status_code == 200
    items = response.json()
    assert [i["name"] for i in items] == list(WEBHOOK_EVENTS)
    assert {i["name"] for i in items if i["required"]} == set(REQUIRED_EVENTS)
    upsert = next(i for i in items if i["name"] == "MESSAGES_UPSERT")
    assert upsert["payload_name"] == "messages.upsert"


async def test_chosen_at_creation_and_changed_later(
    client: httpx.AsyncClient,
    operator: dict[str, str],
    viewer: dict[str, str],
    server: dict[str, Any],
    running_simulator: RunningSimulator,
    db: Db,
) -> None:
    data = await _create(
        client, operator, server["id"], "acme-sales", webhook_events=["CALL", "CONTACTS_UPSERT"]
    )
    assert data["webhook_events"] == required_and("CALL", "CONTACTS_UPSERT")
    assert await _subscribed(running_simulator, "acme-sales") == sorted(data["webhook_events"])

    path = f"/api/instances/{data['id']}/webhook-events"
    assert (await client.put(path, json={"events": []}, headers=viewer)).status_code == 403
    changed = await client.put(path, json={"events": ["PRESENCE_UPDATE"]}, headers=operator)
    assert changed.status_code == 200, changed.text
    assert changed.json()["webhook_events"] == required_and("PRESENCE_UPDATE")
    assert changed.json()["webhook_drift"] is None
    assert await _subscribed(running_simulator, "acme-sales") == sorted(
        required_and("PRESENCE_UPDATE")
    )
    # The required events cannot be left out: an empty choice keeps them.
    only_required = await client.put(path, json={"events": []}, headers=operator)
    assert only_required.json()["webhook_events"] == required_and()
    assert "instance.webhook_events_changed" in await audit_actions(db)

    refused = await client.put(path, json={"events": ["SOMETHING_ELSE"]}, headers=operator)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "events.0"


async def test_an_evolution_failure_changes_nothing(
    client: httpx.AsyncClient,
    operator: dict[str, str],
    server: dict[str, Any],
    running_simulator: RunningSimulator,
    db: Db,
) -> None:
    data = await _create(client, operator, server["id"], "acme-fail")
    await running_simulator.fault(route="/webhook/set/*", status=500)
    path = f"/api/instances/{data['id']}/webhook-events"
    response = await client.put(path, json={"events": ["CALL"]}, headers=operator)
    assert response.status_code == 502, response.text
    row = await get_row(db, data["id"])
    assert row.webhook_events == required_and()
    assert "CALL" not in await _subscribed(running_simulator, "acme-fail")


async def test_bulk_gives_one_result_per_instance(
    client: httpx.AsyncClient,
    operator: dict[str, str],
    viewer: dict[str, str],
    server: dict[str, Any],
    running_simulator: RunningSimulator,
    db: Db,
) -> None:
    ids = [(await _create(client, operator, server["id"], f"bulk-{n}"))["id"] for n in range(3)]
    await running_simulator.fault(route="/webhook/set/bulk-1", status=500)
    body = {"instance_ids": [*ids, 999_999], "events": ["CALL", "LABELS_EDIT"]}
    assert (
        await client.post("/api/instances/webhook-events", json=body, headers=viewer)
    ).status_code == 403
    response = await client.post("/api/instances/webhook-events", json=body, headers=operator)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["succeeded"], report["failed"]) == (2, 2)
    by_id = {item["instance_id"]: item for item in report["items"]}
    assert [item["instance_id"] for item in report["items"]] == [*ids, 999_999]
    assert by_id[ids[0]]["ok"] and by_id[ids[2]]["ok"]
    assert by_id[ids[0]]["events"] == required_and("CALL", "LABELS_EDIT")
    assert (by_id[ids[1]]["ok"], by_id[ids[1]]["name"]) == (False, "bulk-1")
    assert by_id[ids[1]]["error"] and by_id[ids[1]]["detail"]
    assert (by_id[999_999]["ok"], by_id[999_999]["error"]) == (False, "instance_not_found")
    for n, instance_id in enumerate(ids):
        row = await get_row(db, instance_id)
        expected = required_and() if n == 1 else required_and("CALL", "LABELS_EDIT")
        assert row.webhook_events == expected
        assert await _subscribed(running_simulator, f"bulk-{n}") == sorted(expected)
    too_many = {"instance_ids": list(range(1, 202)), "events": []}
    assert (
        await client.post("/api/instances/webhook-events", json=too_many, headers=operator)
    ).status_code == 422
