"""The issue's done-when, against the simulator over real HTTP on loopback: a template
applied to 50 instances changes exactly what its preview listed (read back from the
simulator and the database), with one result per instance; an instance the simulator
fails is reported, and retried once the fault is gone. Drift follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash import realtime
from evodash.core.config import Settings
from evodash.destinations.models import ForwardDestination
from evodash.instances.webhook_setup import subscription
from evodash.realtime.events import BulkItemEvent, Event
from tests.instances.helpers import audit_actions, get_row
from tests.simulator_server import RunningSimulator
from tests.templates.fleet import build_fleet, change_sim_settings, post, sim_settings

pytestmark = pytest.mark.usefixtures("db")
Db = async_sessionmaker[AsyncSession]

COUNT = 50
#: The simulator's names of the settings (settings/find answers these).
SIM_KEYS = {
    "reject_call": "rejectCall",
    "msg_call": "msgCall",
    "groups_ignore": "groupsIgnore",
    "always_online": "alwaysOnline",
    "read_messages": "readMessages",
    "read_status": "readStatus",
    "sync_full_history": "syncFullHistory",
}
TEMPLATE: dict[str, Any] = {
    "name": "Atendimento padrão",
    "description": "Calls rejected, groups ignored",
    "events": ["CALL", "CONTACTS_UPSERT"],
    "settings": {"reject_call": True, "msg_call": "Não atendemos ligações", "groups_ignore": True},
    "allowed_numbers": ["+55 11 98765-4321", "5531987654321@s.whatsapp.net"],
    "destinations": [
        {
            "name": "crm",
            "url": "https://crm.example.com/hooks/whatsapp",
            "events": ["MESSAGES_UPSERT"],
            "secret_header_name": "X-Api-Key",
            "secret_header_value": "s3cr3t-value",
        }
    ],
}


@pytest.fixture
def bulk_events() -> Iterator[list[BulkItemEvent]]:
    seen: list[BulkItemEvent] = []

    def watcher(event: Event) -> None:
        if isinstance(event, BulkItemEvent):
            seen.append(event)

    stop = realtime.watch(watcher)
    yield seen
    stop()


async def test_a_template_on_50_instances_changes_what_its_preview_listed(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    operator: dict[str, str],
    running_simulator: RunningSimulator,
    settings: Settings,
    db: Db,
    bulk_events: list[BulkItemEvent],
) -> None:
    sim = running_simulator
    fleet = await build_fleet(db, settings, sim, COUNT)
    # One instance already follows part of the template; one has a destination of its own.
    first, second = fleet.instances[0], fleet.instances[1]
    await change_sim_settings(sim, first.name, rejectCall=True)
    async with db() as session:
        session.add(
            ForwardDestination(
                instance_id=second.id, name="legacy", url="https://old.example.com/x", events=[]
            )
        )
        await session.commit()

    template = await post(client, "/api/templates", admin, TEMPLATE)
    assert template["allowed_numbers"] == ["+5511987654321", "+5531987654321"]
    assert template["destinations"][0]["has_secret"] is True
    assert "s3cr3t" not in str(template)

    preview = await post(
        client,
        f"/api/templates/{template['id']}/preview",
        operator,
        {"instance_ids": fleet.ids},
    )
    assert len(preview["items"]) == COUNT and preview["changing"] == COUNT
    by_id = {item["instance_id"]: item["changes"] for item in preview["items"]}
    assert {c["field"] for c in by_id[first.id]["settings"]} == {"msg_call", "groups_ignore"}
    assert by_id[fleet.instances[5].id]["settings"] == [
        {"field": "reject_call", "old": False, "new": True},
        {"field": "msg_call", "old": "", "new": "Não atendemos ligações"},
        {"field": "groups_ignore", "old": False, "new": True},
    ]
    assert by_id[first.id]["events_added"] == ["CONTACTS_UPSERT", "CALL"]  # server order
    assert by_id[first.id]["events_removed"] == []
    assert by_id[first.id]["numbers_added"] == ["+5511987654321", "+5531987654321"]
    assert by_id[second.id]["destinations"] == [
        {"name": "legacy", "action": "remove", "fields": []},
        {"name": "crm", "action": "create", "fields": []},
    ]
    # A preview changes nothing.
    assert (await sim_settings(sim, fleet.instances[5].name))["rejectCall"] is False

    # The simulator fails one instance's settings/set (once it is asked).
    failing = fleet.instances[7]
    await sim.fault(route=f"/settings/set/{failing.name}", status=500)
    operation = await post(
        client,
        "/api/bulk-operations",
        operator,
        {"action": "template", "template_id": template["id"], "instance_ids": fleet.ids},
    )
    assert operation["status"] == "pending" and operation["pending"] == COUNT
    done = await post(client, f"/api/bulk-operations/{operation['id']}/run", operator)
    assert done["status"] == "finished"
    assert (done["total"], done["succeeded"], done["failed"]) == (COUNT, COUNT - 1, 1)
    results = {item["instance_id"]: item for item in done["items"]}
    assert len(results) == COUNT
    assert results[failing.id]["state"] == "failed"
    assert results[failing.id]["error"] == "evolution_rejected"
    assert "Simulated fault" in results[failing.id]["detail"]
    assert results[failing.id]["changes"] is None
    # Live progress: one realtime event per instance, as each finished.
    assert sorted(e.data.instance_id for e in bulk_events) == sorted(fleet.ids)

    want_events = sorted(subscription(TEMPLATE["events"]))
    for instance in fleet.instances:
        if instance.id == failing.id:
            continue
        item = results[instance.id]
        assert item["state"] == "ok", item
        # What changed is what the preview listed.
        assert item["changes"] == by_id[instance.id]
        # ...and the simulator holds it now.
        stored = await sim_settings(sim, instance.name)
        for change in by_id[instance.id]["settings"]:
            assert stored[SIM_KEYS[change["field"]]] == change["new"]
        hook = await sim.webhook(instance.name)
        assert hook is not None and sorted(hook["events"]) == want_events
        row = await get_row(db, instance.id)
        assert row.allowed_numbers == ["+5511987654321", "+5531987654321"]
        assert row.webhook_events == subscription(TEMPLATE["events"])

    async with db() as session:
        names = (
            await session.scalars(
                select(ForwardDestination.name).where(ForwardDestination.instance_id == second.id)
            )
        ).all()
    assert list(names) == ["crm"]
    # The failed instance changed nothing here.
    assert (await get_row(db, failing.id)).allowed_numbers == []
    assert "instance.template_applied" in await audit_actions(db)

    # Retry the failed one: only it runs.
    assert (await sim.faults())[0]["hits"] >= 1
    await sim.request("DELETE", "/_sim/faults")
    bulk_events.clear()
    retried = await post(client, f"/api/bulk-operations/{operation['id']}/run", operator)
    assert (retried["succeeded"], retried["failed"], retried["runs"]) == (COUNT, 0, 2)
    assert [e.data.instance_id for e in bulk_events] == [failing.id]
    again = {item["instance_id"]: item for item in retried["items"]}
    assert again[failing.id]["attempts"] == 2 and again[first.id]["attempts"] == 1
    assert (await sim_settings(sim, failing.name))["groupsIgnore"] is True

    # Applying it again changes nothing: every instance is unchanged.
    second_run = await post(
        client,
        "/api/bulk-operations",
        operator,
        {"action": "template", "template_id": template["id"], "instance_ids": fleet.ids[:5]},
    )
    rerun = await post(client, f"/api/bulk-operations/{second_run['id']}/run", operator)
    assert {item["state"] for item in rerun["items"]} == {"unchanged"}

    # Drift: every linked instance matches; then one is changed behind evodash's back.
    drift = (await client.get("/api/templates/drift", headers=operator)).json()
    assert len(drift) == COUNT and all(d["in_sync"] for d in drift)
    changed = fleet.instances[3]
    await change_sim_settings(sim, changed.name, groupsIgnore=False)
    checked = await post(client, f"/api/templates/{template['id']}/drift", operator)
    out = [d for d in checked if not d["in_sync"]]
    assert [d["instance_id"] for d in out] == [changed.id]
    assert out[0]["differences"]["settings"] == [
        {"field": "groups_ignore", "old": False, "new": True}
    ]
    one = await client.get(
        "/api/templates/drift", params={"instance_id": changed.id}, headers=operator
    )
    assert one.json()[0]["in_sync"] is False

    # A new template version is drift for every linked instance.
    patched = await client.patch(
        f"/api/templates/{template['id']}",
        json={"settings": {"reject_call": False}},
        headers=admin,
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    drift = (await client.get("/api/templates/drift", headers=operator)).json()
    assert all(d["template_changed"] for d in drift)
