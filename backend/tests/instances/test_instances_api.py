"""``/api/instances``: create by URL + key, all-or-nothing, list/search, update, roles,
and the connection history rule (transitions only)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from evodash import realtime
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.instances import cleanup
from evodash.instances import service as instances_service
from evodash.instances.models import ConnectionSource, InstanceStatus
from evodash.instances.state import Observation, observe
from tests import loopback
from tests.instances.helpers import add_instances, add_server, events_of, get_row, snapshot
from tests.simulator_server import RunningSimulator

pytestmark = pytest.mark.usefixtures("db")


async def gone_on_evolution(sim: RunningSimulator, name: str, within: float = 10.0) -> None:
    """The compensation runs in the background: wait for it (bounded)."""
    await cleanup.drain()
    deadline = time.monotonic() + within
    while name in await sim.names():
        assert time.monotonic() < deadline, f"{name} is still on Evolution"
        await asyncio.sleep(0.1)


def by_url(name: str, url: str, key: str) -> dict[str, Any]:
    return {"display_name": name.title(), "name": name, "evolution_url": url, "api_key": key}


class TestCreateWithUrlAndKey:
    async def test_reuses_the_registered_server(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
    ) -> None:
        server = await add_server(
            db, settings, running_simulator.base_url, running_simulator.api_key
        )
        body = by_url("reuse", running_simulator.base_url + "/", running_simulator.api_key)
        response = await client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 201, response.text
        assert response.json()["server_id"] == server.id
        servers = (await client.get("/api/servers", headers=operator)).json()
        assert servers["total"] == 1 and servers["items"][0]["instance_count"] == 1

    async def test_a_different_key_for_a_registered_url_is_409(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
    ) -> None:
        await add_server(db, settings, running_simulator.base_url, running_simulator.api_key)
        body = by_url("other", running_simulator.base_url, "another-key")
        response = await client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 409
        assert response.json()["error"] == "server_key_mismatch"

    async def test_an_admin_registers_a_new_server(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        running_simulator: RunningSimulator,
    ) -> None:
        body = by_url("fresh", running_simulator.base_url, running_simulator.api_key)
        response = await client.post("/api/instances", json=body, headers=admin)
        assert response.status_code == 201, response.text
        [server] = (await client.get("/api/servers", headers=admin)).json()["items"]
        assert server["base_url"] == running_simulator.base_url
        assert server["name"] == running_simulator.base_url.split("//")[1]
        assert server["api_key_last4"] == running_simulator.api_key[-4:]

    async def test_an_operator_cannot_register_a_server(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        running_simulator: RunningSimulator,
    ) -> None:
        body = by_url("fresh", running_simulator.base_url, running_simulator.api_key)
        response = await client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 403
        assert response.json()["error"] == "server_registration_needs_admin"
        assert await running_simulator.names() == set()

    @pytest.mark.parametrize(
        "extra",
        [
            {},
            {"server_id": 1, "evolution_url": "http://x.test", "api_key": "k"},
            {"evolution_url": "http://x.test"},
        ],
    )
    async def test_exactly_one_way_to_name_the_server(
        self, client: httpx.AsyncClient, operator: dict[str, str], extra: dict[str, Any]
    ) -> None:
        body = {"display_name": "X", "name": "xyz", **extra}
        assert (await client.post("/api/instances", json=body, headers=operator)).status_code == 422


@pytest.fixture
async def lenient_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that gets the 500 instead of the exception of an unexpected failure."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with loopback.client(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def failing_commit() -> Iterator[None]:
    """The next commit of a transaction that created an instance fails (database down)."""
    state = {"armed": True}

    def boom(session: Session) -> None:
        if state["armed"] and cleanup._KEY in session.info:
            state["armed"] = False
            raise OperationalError("COMMIT", {}, Exception("the database went away"))

    event.listen(Session, "before_commit", boom)
    yield
    event.remove(Session, "before_commit", boom)


class TestAllOrNothing:
    async def test_a_failed_commit_deletes_the_instance_on_evolution_again(
        self,
        lenient_client: httpx.AsyncClient,
        operator: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
        failing_commit: None,
    ) -> None:
        server = await add_server(
            db, settings, running_simulator.base_url, running_simulator.api_key
        )
        before = await snapshot(db)
        body = {"display_name": "Doomed", "name": "doomed", "server_id": server.id}
        response = await lenient_client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 500
        await gone_on_evolution(running_simulator, "doomed")
        assert await snapshot(db) == before

    async def test_a_failure_after_evolution_inside_the_service(
        self,
        lenient_client: httpx.AsyncClient,
        operator: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        server = await add_server(
            db, settings, running_simulator.base_url, running_simulator.api_key
        )

        def broken_audit(*args: object, **kwargs: object) -> None:
            raise OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))

        monkeypatch.setattr(instances_service.audit, "record", broken_audit)
        before = await snapshot(db)
        body = {"display_name": "Doomed", "name": "doomed2", "server_id": server.id}
        response = await lenient_client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 500
        await gone_on_evolution(running_simulator, "doomed2")
        assert await snapshot(db) == before

    async def test_evolution_refusing_writes_nothing(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
    ) -> None:
        server = await add_server(
            db, settings, running_simulator.base_url, running_simulator.api_key
        )
        await running_simulator.fault(
            route="/instance/create",
            status=400,
            body={
                "status": 400,
                "error": "Bad Request",
                "response": {"message": ["Invalid proxy"]},
            },
        )
        before = await snapshot(db)
        body = {"display_name": "No", "name": "refused", "server_id": server.id}
        response = await client.post("/api/instances", json=body, headers=operator)
        assert response.status_code == 502
        assert response.json()["evolution_message"] == "Invalid proxy"
        assert "Invalid proxy" in response.json()["detail"]
        assert await snapshot(db) == before


class TestListAndUpdate:
    @pytest.fixture
    async def rows(
        self, db: async_sessionmaker[AsyncSession], settings: Settings
    ) -> dict[str, Any]:
        one = await add_server(db, settings, "http://one.test", "k1", name="one")
        two = await add_server(db, settings, "http://two.test", "k2", name="two")
        a = await add_instances(db, one, 3, status=InstanceStatus.open, prefix="alpha")
        b = await add_instances(
            db, two, 2, status=InstanceStatus.close, prefix="beta", phone_number="5521999990000"
        )
        return {"one": one, "two": two, "alpha": a, "beta": b}

    async def test_pagination_filters_and_search(
        self, client: httpx.AsyncClient, viewer: dict[str, str], rows: dict[str, Any]
    ) -> None:
        async def names(query: str) -> tuple[list[str], int]:
            response = await client.get(f"/api/instances?{query}", headers=viewer)
            assert response.status_code == 200, response.text
            data = response.json()
            return [i["name"] for i in data["items"]], data["total"]

        assert (await names("page_size=2"))[1] == 5
        assert (await names("page_size=2&page=3"))[0] == ["beta-0002"]
        assert (await names(f"server_id={rows['two'].id}"))[1] == 2
        assert (await names("status=open"))[1] == 3
        assert (await names("status=open&status=close"))[1] == 5
        assert (await names("search=BETA-0001"))[0] == ["beta-0001"]
        assert (await names("search=Alpha"))[1] == 3
        assert (await names("search=99999"))[1] == 2  # phone number
        assert (await names("search=%2B55 (21) 99999"))[1] == 2  # as typed
        assert (await names("search=zeta 999"))[1] == 0  # a name with digits: names only
        assert (await names("search=%25"))[1] == 0  # a literal %, not a wildcard
        assert (await client.get("/api/instances?status=bogus", headers=viewer)).status_code == 422

    async def test_update(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        viewer: dict[str, str],
        rows: dict[str, Any],
    ) -> None:
        inst = rows["alpha"][0]
        url = f"/api/instances/{inst.id}"
        body = {
            "display_name": "  Loja Centro ",
            "phone_number": "+55 (11) 98888-7777",
            "reply_with_summary": True,
        }
        response = await client.patch(url, json=body, headers=operator)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["display_name"] == "Loja Centro"
        assert data["phone_number"] == "5511988887777"
        assert data["reply_with_summary"] is True
        assert "forward_url" not in data  # relays are destinations now
        moved = await client.patch(
            url, json={"forward_url": "https://h.example/x"}, headers=operator
        )
        assert moved.status_code == 422
        assert "destinations" in moved.json()["errors"][0]["message"]
        cleared = await client.patch(url, json={"phone_number": None}, headers=operator)
        assert cleared.json()["phone_number"] is None
        assert (
            await client.patch(url, json={"display_name": None}, headers=operator)
        ).status_code == 422
        assert (
            await client.patch(url, json={"message_retention_days": 0}, headers=operator)
        ).status_code == 422
        assert (
            await client.patch(url, json={"phone_number": "12"}, headers=operator)
        ).status_code == 422
        assert (await client.patch(url, json={}, headers=viewer)).status_code == 403

    async def test_roles(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        viewer: dict[str, str],
        rows: dict[str, Any],
    ) -> None:
        url = f"/api/instances/{rows['alpha'][0].id}"
        assert (await client.get(url, headers=viewer)).status_code == 200
        assert (await client.post(f"{url}/connect", headers=viewer)).status_code == 403
        assert (await client.post("/api/instances/sync", headers=viewer)).status_code == 403
        assert (await client.delete(url, headers=operator)).status_code == 403
        assert (await client.get("/api/instances/999", headers=viewer)).status_code == 404


class TestHistory:
    async def test_records_transitions_not_repeats(
        self, db: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        server = await add_server(db, settings, "http://h.test", "k")
        [row] = await add_instances(db, server, status=InstanceStatus.created)
        async with db() as session:
            instance = await session.get(type(row), row.id)
            assert instance is not None

            def move(state: str, source: ConnectionSource, reason: int | None = None) -> bool:
                seen = Observation(
                    source=source, at=utcnow(), state=InstanceStatus(state), reason=reason
                )
                return observe(session, instance, seen).transition is not None

            moves = [
                move("connecting", ConnectionSource.webhook, 200),
                move("connecting", ConnectionSource.webhook, 200),
                move(InstanceStatus.open, ConnectionSource.sync),
                move("open", ConnectionSource.action),
                move("close", ConnectionSource.webhook, 401),
            ]
            queued = [e.model_dump(mode="json") for e in realtime.pending(session)]
            await session.commit()
        assert moves == [True, False, True, False, True]
        assert [e["type"] for e in queued] == ["instance.updated"] * 3
        assert queued[-1]["data"]["status"] == "close"
        assert "webhook_secret" not in queued[-1]["data"]
        assert await events_of(db, row.id) == ["connecting", "open", "close"]
        stored = await get_row(db, row.id)
        assert stored.status == "close" and stored.disconnection_reason == 401
        assert stored.connected_at is not None
