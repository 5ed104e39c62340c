"""``/api/servers``: registration with an encrypted key, tests, updates and deletion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.security import decrypt
from evodash.servers.models import EvolutionServer
from tests.conftest import TEST_SECRET
from tests.instances.helpers import audit_actions, register_server
from tests.simulator_server import RunningSimulator

pytestmark = pytest.mark.usefixtures("db")

KEY = "super-secret-global-key-WXYZ"


async def stored(db: async_sessionmaker[AsyncSession], server_id: int) -> EvolutionServer:
    async with db() as session:
        row = (
            await session.execute(select(EvolutionServer).where(EvolutionServer.id == server_id))
        ).scalar_one()
    return row


class TestCreate:
    async def test_key_is_encrypted_and_never_returned(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        data = await register_server(client, admin, "HTTP://Evo.Example.com:8080/", KEY, "Main")
        assert data["base_url"] == "http://evo.example.com:8080"
        assert data["api_key_last4"] == "WXYZ"
        assert data["instance_count"] == 0 and data["is_reachable"] is None
        assert KEY not in str(data)
        row = await stored(db, data["id"])
        assert row.api_key_encrypted != KEY and KEY not in row.api_key_encrypted
        assert decrypt(row.api_key_encrypted, secret=TEST_SECRET) == KEY
        listed = await client.get("/api/servers", headers=admin)
        assert KEY not in listed.text and listed.json()["total"] == 1
        assert "server.created" in await audit_actions(db)

    @pytest.mark.parametrize(
        "url",
        ["ftp://evo.example.com", "evo.example.com", "http://user:pw@evo.test", "http://x/?a=1"],
    )
    async def test_url_is_validated(
        self, client: httpx.AsyncClient, admin: dict[str, str], url: str
    ) -> None:
        response = await client.post(
            "/api/servers", json={"name": "x", "base_url": url, "api_key": KEY}, headers=admin
        )
        assert response.status_code == 422

    async def test_duplicates_are_409(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await register_server(client, admin, "http://a.test", KEY, "A")
        same_url = await client.post(
            "/api/servers",
            json={"name": "B", "base_url": "http://a.test/", "api_key": KEY},
            headers=admin,
        )
        assert same_url.status_code == 409 and same_url.json()["error"] == "server_url_taken"
        same_name = await client.post(
            "/api/servers",
            json={"name": "a", "base_url": "http://b.test", "api_key": KEY},
            headers=admin,
        )
        assert same_name.status_code == 409 and same_name.json()["error"] == "server_name_taken"

    async def test_only_admins_manage_servers(
        self, client: httpx.AsyncClient, operator: dict[str, str], viewer: dict[str, str]
    ) -> None:
        body = {"name": "x", "base_url": "http://x.test", "api_key": KEY}
        assert (await client.post("/api/servers", json=body, headers=operator)).status_code == 403
        assert (await client.get("/api/servers", headers=viewer)).status_code == 200


class TestUpdate:
    async def test_changes_name_url_and_key(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        data = await register_server(client, admin, "http://a.test", KEY, "A")
        response = await client.patch(
            f"/api/servers/{data['id']}",
            json={"name": "Renamed", "base_url": "http://b.test:9", "api_key": "new-key-9876"},
            headers=admin,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["name"], body["base_url"], body["api_key_last4"]) == (
            "Renamed",
            "http://b.test:9",
            "9876",
        )
        row = await stored(db, data["id"])
        assert decrypt(row.api_key_encrypted, secret=TEST_SECRET) == "new-key-9876"
        # The audit says the key changed, never what it is.
        async with db() as session:
            from evodash.users.models import AuditLog

            entry = (
                await session.execute(select(AuditLog).where(AuditLog.action == "server.updated"))
            ).scalar_one()
        assert entry.detail == {
            "name": "Renamed",
            "base_url": "http://b.test:9",
            "api_key": "(changed)",
        }

    async def test_null_is_refused(self, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
        data = await register_server(client, admin, "http://a.test", KEY, "A")
        response = await client.patch(
            f"/api/servers/{data['id']}", json={"api_key": None}, headers=admin
        )
        assert response.status_code == 422

    async def test_unknown_server_is_404(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.patch("/api/servers/999", json={"name": "x"}, headers=admin)
        assert response.status_code == 404


class TestConnectionTest:
    async def test_before_saving(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        running_simulator: RunningSimulator,
    ) -> None:
        await running_simulator.create_instance("one")
        response = await client.post(
            "/api/servers/test",
            json={"base_url": running_simulator.base_url, "api_key": running_simulator.api_key},
            headers=admin,
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["reachable"] and result["api_key_valid"]
        assert result["version"] == "2.3.6"
        assert result["whatsapp_web_version"] == "2.3000.1027934701"
        assert result["instance_count"] == 1

    async def test_wrong_key_is_reported(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        running_simulator: RunningSimulator,
    ) -> None:
        response = await client.post(
            "/api/servers/test",
            json={"base_url": running_simulator.base_url, "api_key": "wrong"},
            headers=admin,
        )
        assert response.status_code == 200
        result = response.json()
        assert result["reachable"] is True and result["api_key_valid"] is False
        assert "API key" in result["detail"]

    async def test_saved_server_keeps_what_it_saw(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        operator: dict[str, str],
        running_simulator: RunningSimulator,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        data = await register_server(
            client, admin, running_simulator.base_url, running_simulator.api_key, "Sim"
        )
        response = await client.post(f"/api/servers/{data['id']}/test", headers=operator)
        assert response.status_code == 200, response.text
        shown = (await client.get(f"/api/servers/{data['id']}", headers=operator)).json()
        assert shown["is_reachable"] is True and shown["version"] == "2.3.6"
        assert shown["last_checked_at"] and shown["last_error"] is None
        assert "server.tested" in await audit_actions(db)


class TestDelete:
    async def _server_with_instance(
        self, client: httpx.AsyncClient, admin: dict[str, str], sim: RunningSimulator
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        server = await register_server(client, admin, sim.base_url, sim.api_key, "Sim")
        response = await client.post(
            "/api/instances",
            json={"display_name": "A", "name": "acme", "server_id": server["id"]},
            headers=admin,
        )
        assert response.status_code == 201, response.text
        return server, response.json()

    async def test_refused_while_it_has_instances(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        running_simulator: RunningSimulator,
    ) -> None:
        server, _ = await self._server_with_instance(client, admin, running_simulator)
        response = await client.delete(f"/api/servers/{server['id']}", headers=admin)
        assert response.status_code == 409
        assert response.json()["error"] == "server_has_instances"
        assert response.json()["instances"] == 1
        assert "acme" in await running_simulator.names()

    async def test_history_of_deleted_instances_also_counts(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        running_simulator: RunningSimulator,
    ) -> None:
        server, inst = await self._server_with_instance(client, admin, running_simulator)
        assert (
            await client.delete(f"/api/instances/{inst['id']}", headers=admin)
        ).status_code == 204
        response = await client.delete(f"/api/servers/{server['id']}", headers=admin)
        assert response.status_code == 409
        assert response.json()["deleted_instances"] == 1

    # the simulator calls back over real HTTP while the test runs: real commits
    @pytest.mark.commits
    async def test_remove_instances_deletes_them_on_evolution_too(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        running_simulator: RunningSimulator,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        server, inst = await self._server_with_instance(client, admin, running_simulator)
        response = await client.delete(
            f"/api/servers/{server['id']}?remove_instances=true", headers=admin
        )
        assert response.status_code == 204, response.text
        assert "acme" not in await running_simulator.names()
        assert (await client.get(f"/api/servers/{server['id']}", headers=admin)).status_code == 404
        assert (await client.get(f"/api/instances/{inst['id']}", headers=admin)).status_code == 404
        assert "server.deleted" in await audit_actions(db)

    async def test_an_empty_server_is_deleted(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        data = await register_server(client, admin, "http://a.test", KEY, "A")
        assert (await client.delete(f"/api/servers/{data['id']}", headers=admin)).status_code == 204

    async def test_force_deletes_here_when_evolution_is_gone(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        running_simulator: RunningSimulator,
    ) -> None:
        server, _ = await self._server_with_instance(client, admin, running_simulator)
        await running_simulator.fault(route="/instance/delete/*", status=500)
        refused = await client.delete(
            f"/api/servers/{server['id']}?remove_instances=true", headers=admin
        )
        assert refused.status_code == 502
        assert "nothing was deleted here" in refused.json()["detail"]
        forced = await client.delete(
            f"/api/servers/{server['id']}?remove_instances=true&force=true", headers=admin
        )
        assert forced.status_code == 204
