"""When Evolution refuses connections, hangs, answers 500 or garbage, every server and
instance endpoint answers 502/504 with a readable message, after one timeout (never a
retried wait), and the database is exactly as before."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.evolution import client as evolution_client
from evodash.instances import cleanup
from evodash.instances.models import InstanceStatus
from evodash.servers.models import EvolutionServer
from tests.instances.helpers import add_instances, add_server, get_row, snapshot
from tests.simulator_server import RunningSimulator, closed_port_url

EVO = "http://evolution.test:8080"
KEY = "global-key-1234"
#: The Evolution timeout of the real-HTTP failure tests: short, as they wait for it.
HANG_TIMEOUT = 0.25
#: Requests a hanging server sees per call: one, except for creates, which are followed
#: by a compensating delete (Evolution may still finish creating the instance).
HANG_HITS = {"create": 2, "create-by-url": 2}

FAILURES: dict[str, Any] = {
    "refused": httpx.ConnectError("[Errno 111] Connection refused"),
    "timeout": httpx.ReadTimeout("timed out"),
    "http-500": httpx.Response(
        500,
        json={
            "status": 500,
            "error": "Internal Server Error",
            "response": {"message": "Connection Closed"},
        },
    ),
    "garbage": httpx.Response(
        200, text="<html><body>It works!</body></html>", headers={"content-type": "text/html"}
    ),
    "proxy-502": httpx.Response(502, text="<html>502 Bad Gateway</html>"),
    "empty": httpx.Response(200, content=b""),
    "wrong-types": httpx.Response(200, json=[1, 2, 3]),
}
EXPECTED = {
    "refused": (502, "evolution_unreachable"),
    "timeout": (504, "evolution_timeout"),
    "http-500": (502, "evolution_rejected"),
    "garbage": (502, "evolution_unexpected_answer"),
    "proxy-502": (502, "evolution_unreachable"),
    "empty": (502, "evolution_unexpected_answer"),
    "wrong-types": (502, "evolution_unexpected_answer"),
}


@dataclass
class Call:
    method: str
    path: str
    body: Any = None
    role: str = "admin"


def calls(server_id: int, instance_id: int) -> dict[str, Call]:
    inst = f"/api/instances/{instance_id}"
    settings_body = {
        "reject_call": True,
        "msg_call": "no",
        "groups_ignore": False,
        "always_online": False,
        "read_messages": False,
        "read_status": False,
        "sync_full_history": False,
    }
    return {
        "create": Call(
            "POST",
            "/api/instances",
            {"display_name": "N", "name": "new-one", "server_id": server_id},
        ),
        "create-by-url": Call(
            "POST",
            "/api/instances",
            {
                "display_name": "N",
                "name": "new-one",
                "evolution_url": "http://other-evolution.test",
                "api_key": "other-key",
            },
        ),
        "connect": Call("POST", f"{inst}/connect"),
        "pairing": Call("POST", f"{inst}/connect", {"phone_number": "5511987654321"}),
        "disconnect": Call("POST", f"{inst}/disconnect"),
        "restart": Call("POST", f"{inst}/restart"),
        "webhook": Call("POST", f"{inst}/webhook"),
        "settings-read": Call("GET", f"{inst}/settings"),
        "settings-write": Call("PUT", f"{inst}/settings", settings_body),
        "delete": Call("DELETE", inst),
        "delete-all": Call("DELETE", f"{inst}?keep_history=false"),
        "importable": Call("GET", f"/api/instances/importable?server_id={server_id}"),
        "import": Call(
            "POST", "/api/instances/import", {"server_id": server_id, "instances": [{"name": "x"}]}
        ),
        "server-test-new": Call("POST", "/api/servers/test", {"base_url": EVO, "api_key": KEY}),
        "server-delete": Call("DELETE", f"/api/servers/{server_id}?remove_instances=true"),
    }


CALL_NAMES = list(calls(1, 1))


@pytest.fixture
def short_floors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's floors for slow calls (create, connect: 15 s; GET /: 10 s) become
    the configured timeout, so a hanging call ends after it."""
    monkeypatch.setattr(evolution_client, "SLOW_CALL_TIMEOUT", HANG_TIMEOUT)
    monkeypatch.setattr(evolution_client, "ROOT_TIMEOUT_MIN", HANG_TIMEOUT)
    monkeypatch.setattr(evolution_client, "ROOT_TIMEOUT_MAX", HANG_TIMEOUT)


@pytest.fixture
def evolution() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


async def _rows(
    db: async_sessionmaker[AsyncSession], settings: Settings, base_url: str
) -> tuple[EvolutionServer, int]:
    server = await add_server(db, settings, base_url, KEY, name="evo")
    [instance] = await add_instances(
        db, server, status=InstanceStatus.open, evolution_id="abc", token_last4="1234"
    )
    return server, instance.id


async def _request(
    client: httpx.AsyncClient, headers: dict[str, str], call: Call
) -> httpx.Response:
    return await client.request(call.method, call.path, json=call.body, headers=headers)


class TestMockedFailures:
    @pytest.mark.parametrize("failure", list(FAILURES))
    @pytest.mark.parametrize("name", CALL_NAMES)
    async def test_answers_502_or_504_and_writes_nothing(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        evolution: respx.MockRouter,
        name: str,
        failure: str,
    ) -> None:
        server, instance_id = await _rows(db, settings, EVO)
        effect = FAILURES[failure]
        route = evolution.route(host__in=["evolution.test", "other-evolution.test"])
        if isinstance(effect, Exception):
            route.side_effect = effect
        else:
            route.return_value = effect
        before = await snapshot(db)

        response = await _request(client, admin, calls(server.id, instance_id)[name])
        await cleanup.drain()

        status, code = EXPECTED[failure]
        if (name, failure) == ("settings-read", "empty"):
            # An empty answer to settings/find means "nothing stored": the defaults.
            assert response.status_code == 200, response.text
            return
        assert (response.status_code, response.json()["error"]) == (status, code), response.text
        detail = response.json()["detail"]
        assert isinstance(detail, str) and len(detail) > 20
        assert KEY not in response.text
        assert await snapshot(db) == before
        assert route.called

    # The observation is committed on a transaction of its own while the request's rolls
    # back: only real commits show that.
    @pytest.mark.commits
    @pytest.mark.parametrize("failure", ["refused", "timeout", "http-500", "garbage"])
    async def test_saved_server_test_keeps_the_observation(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        evolution: respx.MockRouter,
        failure: str,
    ) -> None:
        server, _ = await _rows(db, settings, EVO)
        effect = FAILURES[failure]
        route = evolution.route(host="evolution.test")
        if isinstance(effect, Exception):
            route.side_effect = effect
        else:
            route.return_value = effect
        response = await client.post(f"/api/servers/{server.id}/test", headers=admin)
        assert response.status_code == EXPECTED[failure][0]
        shown = (await client.get(f"/api/servers/{server.id}", headers=admin)).json()
        assert shown["is_reachable"] is False
        assert shown["last_error"] == response.json()["detail"]
        assert shown["last_checked_at"] is not None

    async def test_unauthorized_key_is_a_readable_502(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        evolution: respx.MockRouter,
    ) -> None:
        _, instance_id = await _rows(db, settings, EVO)
        evolution.route(host="evolution.test").return_value = httpx.Response(
            401,
            json={"status": 401, "error": "Unauthorized", "response": {"message": "Unauthorized"}},
        )
        response = await client.post(f"/api/instances/{instance_id}/connect", headers=admin)
        assert response.status_code == 502
        assert response.json()["error"] == "evolution_unauthorized"
        assert "API key" in response.json()["detail"]


class TestSyncWithFailures:
    @pytest.mark.parametrize("failure", list(FAILURES))
    async def test_sync_answers_per_instance(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        evolution: respx.MockRouter,
        failure: str,
    ) -> None:
        server, instance_id = await _rows(db, settings, EVO)
        effect = FAILURES[failure]
        route = evolution.route(host="evolution.test")
        if isinstance(effect, Exception):
            route.side_effect = effect
        else:
            route.return_value = effect
        response = await client.post("/api/instances/sync", json={}, headers=admin)
        assert response.status_code == 200, response.text
        [item] = response.json()["items"]
        status, code = EXPECTED[failure]
        assert not item["ok"] and item["error"] == code
        down = status == 504 or code == "evolution_unreachable"
        assert item["status"] == ("unreachable" if down else "open")
        assert item["changed"] is down
        row = await get_row(db, instance_id)
        assert row.last_error == item["detail"]
        server_shown = (await client.get(f"/api/servers/{server.id}", headers=admin)).json()
        assert server_shown["is_reachable"] is (False if down else None)


class TestRealHttpFailures:
    """A real server on loopback: connections refused, or requests that never answer.

    "After one timeout" is checked by what the server saw (the hanging request was made
    once: no retry, no second call waiting again), not by a clock.
    """

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"evolution_timeout_seconds": HANG_TIMEOUT})

    @pytest.mark.parametrize("name", CALL_NAMES)
    async def test_refused(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        short_floors: None,
        name: str,
    ) -> None:
        dead = closed_port_url()
        server, instance_id = await _rows(db, settings, dead)
        call = calls(server.id, instance_id)[name]
        if name == "server-test-new":
            call.body = {"base_url": dead, "api_key": KEY}
        if name == "create-by-url":
            call.body = {**call.body, "evolution_url": closed_port_url()}
        before = await snapshot(db)
        response = await _request(client, admin, call)
        await cleanup.drain()
        assert response.status_code == 502, response.text
        assert response.json()["error"] == "evolution_unreachable"
        assert "Cannot reach" in response.json()["detail"]
        assert await snapshot(db) == before

    @pytest.mark.parametrize("name", CALL_NAMES)
    async def test_hang(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
        short_floors: None,
        name: str,
    ) -> None:
        server, instance_id = await _rows(db, settings, running_simulator.base_url)
        # The simulator's key is not KEY: only GET / would get past it, and it hangs too.
        await running_simulator.fault(route="/*", hang=True)
        call = calls(server.id, instance_id)[name]
        if name == "server-test-new":
            call.body = {"base_url": running_simulator.base_url, "api_key": KEY}
        if name == "create-by-url":
            call.body = {**call.body, "evolution_url": running_simulator.base_url + "/prefix"}
        before = await snapshot(db)
        response = await _request(client, admin, call)
        await cleanup.drain()
        assert response.status_code == 504, response.text
        assert response.json()["error"] == "evolution_timeout"
        assert f"{HANG_TIMEOUT:g} s" in response.json()["detail"]
        [fault] = await running_simulator.faults()
        expected = HANG_HITS.get(name, 1)
        assert fault["hits"] == expected, f"{name}: the hanging server was asked {fault['hits']}"
        assert await snapshot(db) == before

    async def test_sync_of_many_instances_on_a_hanging_server_is_bounded(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
    ) -> None:
        server = await add_server(db, settings, running_simulator.base_url, KEY, name="hang")
        await add_instances(db, server, 50, status=InstanceStatus.open)
        await running_simulator.fault(route="/*", hang=True)
        response = await _request(client, admin, Call("POST", "/api/instances/sync", {}))
        assert response.status_code == 200
        items = response.json()["items"]
        assert len(items) == 50
        assert all(
            i["status"] == "unreachable" and i["error"] == "evolution_timeout" for i in items
        )
        # The first batch times out; the rest are not asked: about one timeout in all.
        # (fetchInstances, then connectionState and webhook/find of one batch)
        [fault] = await running_simulator.faults()
        assert fault["hits"] == 1 + 2 * settings.status_sync_concurrency


class TestMalformedSettings:
    @pytest.mark.parametrize(
        "answer",
        [{}, {"instanceName": "acme"}, {"rejectCall": True}, {"rejectCall": "maybe"}, [1]],
    )
    async def test_a_malformed_settings_find_answer_is_a_clear_502(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        evolution: respx.MockRouter,
        answer: Any,
    ) -> None:
        _, instance_id = await _rows(db, settings, EVO)
        evolution.get(url__regex=r"/settings/find/").respond(200, json=answer)
        response = await client.get(f"/api/instances/{instance_id}/settings", headers=admin)
        assert response.status_code == 502, response.text
        body = response.json()
        assert body["error"] == "evolution_unexpected_answer"
        assert "settings" in body["detail"]
