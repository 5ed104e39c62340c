"""The instance lifecycle end to end: the API over ASGI, Evolution = the simulator over
real HTTP on loopback (create, connect, scan, sync, disconnect, restart, delete, import)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.instances.models import InstanceStatus
from evodash.instances.webhook_secret import clear_secret
from evodash.instances.webhook_setup import WEBHOOK_EVENTS
from evodash.webhooks import SECRET_HEADER
from tests.conftest import TEST_SECRET
from tests.instances.helpers import (
    add_instances,
    add_server,
    audit_actions,
    events_of,
    get_row,
    register_server,
)
from tests.qr import decode_qr
from tests.simulator_server import RunningSimulator, closed_port_url

pytestmark = pytest.mark.usefixtures("db")


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], server_id: int, name: str, **extra: Any
) -> dict[str, Any]:
    body = {"display_name": f"Display {name}", "name": name, "server_id": server_id, **extra}
    response = await client.post("/api/instances", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture
async def server(
    client: httpx.AsyncClient, admin: dict[str, str], running_simulator: RunningSimulator
) -> dict[str, Any]:
    return await register_server(
        client, admin, running_simulator.base_url, running_simulator.api_key, "sim"
    )


class TestCreate:
    async def test_creates_on_evolution_with_our_webhook(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
        settings: Settings,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        data = await create(client, operator, server["id"], "acme-support")
        assert data["status"] == "created"
        assert data["token_last4"] and len(data["token_last4"]) == 4
        assert "webhook_secret" not in data and "token_encrypted" not in data
        remote = await running_simulator.instance("acme-support")
        assert remote is not None and remote["state"] == "close"
        assert data["evolution_id"] == remote["id"]
        assert remote["token"].endswith(data["token_last4"])
        hook = await running_simulator.webhook("acme-support")
        assert hook is not None
        assert hook["url"] == f"{settings.public_base_url}/api/webhooks/evolution/{data['id']}"
        row = await get_row(db, data["id"])
        assert hook["headers"] == {SECRET_HEADER: clear_secret(row, TEST_SECRET)}
        assert row.legacy_webhook_secret is None  # only its digest and encrypted form
        assert hook["enabled"] is True
        assert hook["webhookByEvents"] is False and hook["webhookBase64"] is True
        assert sorted(hook["events"]) == sorted(WEBHOOK_EVENTS)
        assert "instance.created" in await audit_actions(db)

    async def test_name_in_use_on_evolution_is_409_and_writes_nothing(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        await running_simulator.create_instance("taken-name")
        body = {"display_name": "X", "name": "taken-name", "server_id": server["id"]}
        response = await client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 409, response.text
        assert "import" in response.json()["detail"]
        listed = await client.get("/api/instances", headers=operator)
        assert listed.json()["total"] == 0

    async def test_name_taken_here_is_409_before_evolution(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        await create(client, operator, server["id"], "twice")
        await running_simulator.fault(route="/instance/create", status=500)
        body = {"display_name": "X", "name": "twice", "server_id": server["id"]}
        response = await client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 409
        assert response.json()["error"] == "instance_name_taken"

    @pytest.mark.parametrize("name", ["ab", "-abc", "a b c", "x" * 65, "ação"])
    async def test_technical_name_is_validated(
        self, client: httpx.AsyncClient, operator: dict[str, str], server: dict[str, Any], name: str
    ) -> None:
        body = {"display_name": "X", "name": name, "server_id": server["id"]}
        response = await client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 422


# the simulator calls back over real HTTP while the test runs: real commits
@pytest.mark.commits
class TestConnectionLifecycle:
    async def test_connect_scan_sync_disconnect_restart_delete(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        admin: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        inst = await create(client, operator, server["id"], "life")
        url = f"/api/instances/{inst['id']}"

        connected = await client.post(f"{url}/connect", headers=operator)
        assert connected.status_code == 200, connected.text
        body = connected.json()
        assert body["outcome"] == "qr_code"
        remote = await running_simulator.instance("life")
        assert remote is not None
        assert decode_qr(body["qr_code"]) == remote["qrcode"]["code"]
        assert body["instance"]["status"] == "connecting"

        await running_simulator.scan("life", "5511912345678")
        synced = await client.post(f"{url}/sync", headers=operator)
        assert synced.status_code == 200, synced.text
        [item] = synced.json()["items"]
        assert item["ok"] and item["changed"]
        assert (item["previous_status"], item["status"]) == ("connecting", "open")
        detail = (await client.get(url, headers=operator)).json()
        assert detail["status"] == "open"
        assert detail["owner_jid"] == "5511912345678@s.whatsapp.net"
        assert detail["webhook_drift"] is None and detail["webhook_checked_at"]

        again = await client.post(f"{url}/connect", headers=operator)
        assert again.json()["outcome"] == "already_open"

        restarted = await client.post(f"{url}/restart", headers=operator)
        assert restarted.status_code == 200, restarted.text
        assert restarted.json()["instance"]["status"] == "connecting"

        out = await client.post(f"{url}/disconnect", headers=operator)
        assert out.status_code == 200, out.text
        assert out.json()["instance"]["status"] == "close"
        remote = await running_simulator.instance("life")
        assert remote is not None and remote["state"] == "close"
        twice = await client.post(f"{url}/disconnect", headers=operator)
        assert twice.status_code == 200
        assert twice.json()["message"] == "The instance was not connected."

        assert await events_of(db, inst["id"]) == ["connecting", "open", "connecting", "close"]
        history = (await client.get(f"{url}/events", headers=operator)).json()
        assert [e["state"] for e in history["items"]] == [
            "close",
            "connecting",
            "open",
            "connecting",
        ]

        deleted = await client.delete(url, headers=admin)
        assert deleted.status_code == 204, deleted.text
        assert "life" not in await running_simulator.names()
        kept = await client.get(url, headers=operator)
        assert kept.status_code == 200 and kept.json()["deleted_at"] is not None
        assert (await client.get("/api/instances", headers=operator)).json()["total"] == 0
        assert (await client.post(f"{url}/connect", headers=operator)).status_code == 409
        assert await events_of(db, inst["id"]) == ["connecting", "open", "connecting", "close"]
        actions = await audit_actions(db)
        for action in ("connect", "restart", "disconnect", "deleted"):
            assert f"instance.{action}" in actions

        # The name is free again for a new instance on that server.
        await create(client, operator, server["id"], "life")

    async def test_delete_without_history(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        admin: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "gone")
        response = await client.delete(
            f"/api/instances/{inst['id']}?keep_history=false", headers=admin
        )
        assert response.status_code == 204
        assert (await client.get(f"/api/instances/{inst['id']}", headers=admin)).status_code == 404
        assert "gone" not in await running_simulator.names()

    async def test_delete_of_an_instance_already_gone_on_evolution(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        admin: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "vanished")
        await running_simulator.request("DELETE", "/instance/delete/vanished")
        response = await client.delete(f"/api/instances/{inst['id']}", headers=admin)
        assert response.status_code == 204

    async def test_pairing_code_when_a_number_is_known(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(
            client, operator, server["id"], "pair", phone_number="+55 11 98765-4321"
        )
        assert inst["phone_number"] == "5511987654321"
        response = await client.post(f"/api/instances/{inst['id']}/connect", headers=operator)
        body = response.json()
        assert body["outcome"] == "pairing_code"
        assert body["pairing_code"] and len(body["pairing_code"]) == 8
        remote = await running_simulator.instance("pair")
        assert remote is not None and remote["pairingNumber"] == "5511987654321"

    async def test_qr_only_even_with_a_number(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "qronly", phone_number="5511987654321")
        response = await client.post(
            f"/api/instances/{inst['id']}/connect", json={"method": "qr_code"}, headers=operator
        )
        assert response.json()["outcome"] == "qr_code"
        assert response.json()["pairing_code"] is None

    async def test_no_qr_yet_says_retry(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "offline")
        await running_simulator.whatsapp(reachable=False)
        response = await client.post(f"/api/instances/{inst['id']}/connect", headers=operator)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["outcome"] == "no_qr_yet"
        assert body["qr_code"] is None and body["retry_after_seconds"] > 0
        assert "try again" in body["message"]

    async def test_restart_of_a_closed_instance_is_a_readable_409(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "closed")
        response = await client.post(f"/api/instances/{inst['id']}/restart", headers=operator)
        # Evolution's error-less 200 for this is a state conflict, not a server failure.
        assert response.status_code == 409
        assert response.json()["error"] == "instance_not_connected"
        assert "connect" in response.json()["detail"]


class TestWebhookDrift:
    async def test_sync_detects_drift_and_reapply_fixes_it(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "drifty")
        await running_simulator.request(
            "POST",
            "/webhook/set/drifty",
            {
                "webhook": {
                    "enabled": True,
                    "url": "http://elsewhere.test/hook",
                    "events": ["CALL"],
                    "headers": {"x-other": "1"},
                }
            },
        )
        # Checked a moment ago at creation: an ordinary sync does not look again yet.
        report = (await client.post("/api/instances/sync", headers=operator)).json()
        assert report["items"][0]["webhook_drift"] is None
        report = (
            await client.post("/api/instances/sync", json={"check_webhook": True}, headers=operator)
        ).json()
        [item] = report["items"]
        drift = item["webhook_drift"]
        assert drift["url"]["actual"] == "http://elsewhere.test/hook"
        assert drift["header"] == "missing"
        assert drift["events"]["unexpected"] == ["CALL"]
        assert sorted(drift["events"]["missing"]) == sorted(WEBHOOK_EVENTS)
        shown = (await client.get(f"/api/instances/{inst['id']}", headers=operator)).json()
        assert shown["webhook_drift"] == drift

        fixed = await client.post(f"/api/instances/{inst['id']}/webhook", headers=operator)
        assert fixed.status_code == 200, fixed.text
        assert fixed.json()["instance"]["webhook_drift"] is None
        report = (await client.post(f"/api/instances/{inst['id']}/sync", headers=operator)).json()
        assert report["items"][0]["webhook_drift"] is None


class TestSync:
    async def test_an_unreachable_server_does_not_stop_the_others(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
        settings: Settings,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        alive = await create(client, operator, server["id"], "alive")
        await client.post(f"/api/instances/{alive['id']}/connect", headers=operator)
        dead = await add_server(db, settings, closed_port_url(), "key", name="dead")
        stranded = await add_instances(db, dead, 3, status=InstanceStatus.open, prefix="far")

        response = await client.post("/api/instances/sync", json={}, headers=operator)
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["total"], report["succeeded"], report["failed"]) == (4, 1, 3)
        by_name = {i["name"]: i for i in report["items"]}
        assert by_name["alive"]["ok"] and by_name["alive"]["status"] == "connecting"
        for row in stranded:
            item = by_name[row.name]
            assert not item["ok"] and item["status"] == "unreachable" and item["changed"]
            assert item["error"] == "evolution_unreachable"
            assert "127.0.0.1" in item["detail"]
        assert await events_of(db, stranded[0].id) == ["unreachable"]
        servers = {
            s["name"]: s
            for s in (await client.get("/api/servers", headers=operator)).json()["items"]
        }
        assert servers["dead"]["is_reachable"] is False and servers["dead"]["last_error"]
        assert servers["sim"]["is_reachable"] is True

        # Transitions only: a second sync records nothing new.
        await client.post("/api/instances/sync", json={}, headers=operator)
        assert await events_of(db, stranded[0].id) == ["unreachable"]

    async def test_a_selection(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        first = await create(client, operator, server["id"], "first")
        await create(client, operator, server["id"], "second")
        response = await client.post(
            "/api/instances/sync", json={"instance_ids": [first["id"]]}, headers=operator
        )
        assert [i["name"] for i in response.json()["items"]] == ["first"]

    async def test_an_instance_missing_on_evolution_is_reported(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "lost")
        await running_simulator.request("DELETE", "/instance/delete/lost")
        [item] = (await client.post(f"/api/instances/{inst['id']}/sync", headers=operator)).json()[
            "items"
        ]
        assert not item["ok"] and item["error"] == "evolution_instance_not_found"
        assert item["status"] == "close"


class TestImport:
    async def test_lists_and_adopts_unmanaged_instances(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
        settings: Settings,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        await create(client, operator, server["id"], "managed")
        await running_simulator.create_instance("legacy-one", number="5521999998888")
        await running_simulator.create_instance("legacy-two")
        listed = await client.get(
            f"/api/instances/importable?server_id={server['id']}", headers=operator
        )
        assert listed.status_code == 200, listed.text
        rows = {r["name"]: r for r in listed.json()}
        assert set(rows) == {"managed", "legacy-one", "legacy-two"}
        assert rows["managed"]["importable"] is False
        assert rows["legacy-one"]["importable"] and rows["legacy-one"]["number"] == "5521999998888"

        body = {
            "server_id": server["id"],
            "instances": [
                {"name": "legacy-one", "display_name": "Legacy One"},
                {"name": "managed"},
                {"name": "nowhere"},
            ],
        }
        response = await client.post("/api/instances/import", json=body, headers=operator)
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["imported"], result["failed"]) == (1, 2)
        first, managed, nowhere = result["items"]
        assert first["ok"] and first["instance"]["display_name"] == "Legacy One"
        assert first["instance"]["status"] == "close"
        assert not managed["ok"] and "already manages" in managed["detail"]
        assert not nowhere["ok"] and "not on the Evolution server" in nowhere["detail"]
        hook = await running_simulator.webhook("legacy-one")
        assert hook is not None
        new_id = first["instance"]["id"]
        assert hook["url"] == f"{settings.public_base_url}/api/webhooks/evolution/{new_id}"
        row = await get_row(db, new_id)
        assert hook["headers"] == {SECRET_HEADER: clear_secret(row, TEST_SECRET)}
        assert row.token_last4 and row.token_encrypted
        again = await client.get(
            f"/api/instances/importable?server_id={server['id']}", headers=operator
        )
        assert {r["name"] for r in again.json() if r["importable"]} == {"legacy-two"}


class TestSettings:
    async def test_read_and_write_evolution_settings(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        viewer: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "tuned")
        url = f"/api/instances/{inst['id']}/settings"
        before = await client.get(url, headers=viewer)
        assert before.status_code == 200, before.text
        assert before.json()["reject_call"] is False
        wanted = {
            "reject_call": True,
            "msg_call": "Só mensagens, por favor.",
            "groups_ignore": True,
            "always_online": False,
            "read_messages": True,
            "read_status": False,
            "sync_full_history": False,
        }
        written = await client.put(url, json=wanted, headers=operator)
        assert written.status_code == 200, written.text
        assert written.json() == wanted
        assert (await client.get(url, headers=viewer)).json() == wanted
        assert (await client.put(url, json=wanted, headers=viewer)).status_code == 403
