"""Guard order, authentication, validation messages, routing and fault injection."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import httpx
import pytest

from evodash.simulator.events import EVENT_NAMES
from tests.simulator.conftest import GLOBAL, create_instance


def message(response: httpx.Response) -> Any:
    return response.json()["response"]["message"]


class TestGuardOrder:
    async def test_unknown_instance_is_404_before_the_apikey(self, evo: httpx.AsyncClient) -> None:
        for headers in ({}, {"apikey": "wrong"}, GLOBAL):
            response = await evo.delete("/instance/logout/ghost", headers=headers)
            assert response.status_code == 404
            assert message(response) == ['The "ghost" instance does not exist']

    async def test_name_in_use_is_403_before_the_apikey(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "taken")
        body = {"instanceName": "taken", "integration": "WHATSAPP-BAILEYS"}
        response = await evo.post("/instance/create", json=body)
        assert response.status_code == 403
        assert message(response) == ['This name "taken" is already in use.']
        free = await evo.post("/instance/create", json={**body, "instanceName": "free"})
        assert free.status_code == 401 and message(free) == "Unauthorized"

    async def test_401_before_schema_before_controller(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        unauth = await evo.post("/message/sendText/acme", json={}, headers={"apikey": "x"})
        assert unauth.status_code == 401
        invalid = await evo.post("/message/sendText/acme", json={}, headers=GLOBAL)
        assert invalid.status_code == 400  # schema, not the 500 of the controller
        assert message(invalid) == [
            ['instance requires property "number"', 'instance requires property "text"']
        ]

    async def test_instance_tokens_only_open_their_own_instance(
        self, evo: httpx.AsyncClient
    ) -> None:
        mine = await create_instance(evo, "mine", token="tok-mine")
        await create_instance(evo, "other")
        own = await evo.get("/instance/connectionState/mine", headers={"apikey": mine["hash"]})
        assert own.status_code == 200
        foreign = await evo.get("/instance/connectionState/other", headers={"apikey": "tok-mine"})
        assert foreign.status_code == 401
        create = await evo.post(
            "/instance/create",
            json={"instanceName": "x", "integration": "WHATSAPP-BAILEYS"},
            headers={"apikey": "tok-mine"},
        )
        assert create.status_code == 401

    async def test_control_api_needs_the_global_key(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme", token="tok")
        for headers in ({}, {"apikey": "tok"}):
            response = await evo.get("/_sim/state", headers=headers)
            assert response.status_code == 401
        assert (await evo.get("/_sim/state", headers=GLOBAL)).status_code == 200


class TestCreate:
    @pytest.mark.parametrize(
        ("body", "status", "expected"),
        [
            ({"instanceName": "a"}, 400, ["Invalid integration"]),
            ({"instanceName": "a", "integration": "TELEGRAM"}, 400, ["Invalid integration"]),
            (
                {"instanceName": "a", "integration": "WHATSAPP-BUSINESS"},
                400,
                ["token is required"],
            ),
            ({"instanceName": ""}, 400, [['The "instanceName" cannot be empty']]),
            (
                {"instanceName": "a", "integration": "WHATSAPP-BAILEYS", "qrcode": "yes"},
                400,
                [["qrcode is not of a type(s) boolean"]],
            ),
            (
                {"instanceName": "a", "integration": "WHATSAPP-BAILEYS", "number": "+5511"},
                400,
                [['number does not match pattern "^\\\\d+[\\\\.@\\\\w-]+"']],
            ),
            (
                {"instanceName": "a", "integration": "WHATSAPP-BAILEYS", "webhook": {"url": "x"}},
                400,
                ["Cannot read properties of undefined (reading 'length')"],
            ),
        ],
    )
    async def test_rejections(
        self, evo: httpx.AsyncClient, body: dict[str, Any], status: int, expected: Any
    ) -> None:
        response = await evo.post("/instance/create", json=body, headers=GLOBAL)
        assert response.status_code == status
        assert message(response) == expected
        listed = await evo.get("/instance/fetchInstances", headers=GLOBAL)
        assert listed.json() == []  # nothing was created

    async def test_non_string_name_is_a_prisma_500(self, evo: httpx.AsyncClient) -> None:
        body = {"instanceName": 123, "integration": "WHATSAPP-BAILEYS"}
        response = await evo.post("/instance/create", json=body)
        assert response.status_code == 500
        [text] = message(response)
        assert text.startswith("PrismaClientValidationError:")

    async def test_missing_name_with_existing_instances(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        response = await evo.post("/instance/create", json={}, headers=GLOBAL)
        assert response.status_code == 403
        assert message(response) == ['This name "undefined" is already in use.']

    async def test_empty_name_with_integration_is_accepted(self, evo: httpx.AsyncClient) -> None:
        created = await create_instance(evo, "")
        assert created["instance"]["instanceName"] == ""

    async def test_webhook_echo_and_stored_row(self, evo: httpx.AsyncClient) -> None:
        hook = {"url": "http://h/x", "events": ["QRCODE_UPDATED"], "base64": True}
        created = await create_instance(evo, "acme", webhook=hook)
        assert created["webhook"] == {"webhookUrl": "http://h/x", "webhookBase64": True}
        found = (await evo.get("/webhook/find/acme", headers=GLOBAL)).json()
        assert found["enabled"] is True and found["headers"] is None
        assert found["webhookByEvents"] is False and found["webhookBase64"] is True


class TestFetchInstances:
    async def test_filters_and_tokens(self, evo: httpx.AsyncClient) -> None:
        a = await create_instance(evo, "a", token="tok-a", number="5511999990001")
        await create_instance(evo, "b")

        async def names(query: str, key: str = "some-test-key") -> Any:
            response = await evo.get(f"/instance/fetchInstances{query}", headers={"apikey": key})
            if response.status_code != 200:
                return response.status_code, message(response)
            return [row["name"] for row in response.json()]

        assert await names("") == ["a", "b"]
        assert await names("", key="tok-a") == ["a"]
        assert await names("", key="nobody") == (401, "Unauthorized")
        assert await names("?instanceName=b") == ["b"]
        assert await names(f"?instanceId={a['instance']['instanceId']}") == ["a"]
        assert await names("?number=5511999990001") == ["a"]
        assert await names("?instanceId=nope") == (404, ['Instance "nope" not found'])
        assert await names("?instanceName=b", key="tok-a") == []


class TestWebhookAndSettings:
    async def test_webhook_set_rules(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        url = "http://h/hook"

        async def post(body: dict[str, Any]) -> httpx.Response:
            return await evo.post("/webhook/set/acme", json=body, headers=GLOBAL)

        everything = await post({"webhook": {"enabled": True, "url": url, "events": []}})
        assert everything.status_code == 201 and everything.json()["events"] == list(EVENT_NAMES)
        off = await post({"webhook": {"enabled": False, "url": url, "events": ["CALL"]}})
        assert off.json()["events"] == [] and off.json()["enabled"] is False
        assert off.json()["id"] == everything.json()["id"]  # one row per instance, upserted
        missing = await post({"webhook": {"enabled": True, "url": url}})
        assert missing.status_code == 500
        assert message(missing) == "Cannot read properties of undefined (reading 'length')"
        assert message(await post({})) == [['instance requires property "webhook"']]
        assert message(await post({"webhook": {"enabled": True}})) == [
            ['webhook requires property "url"']
        ]
        dotted = await post(
            {"webhook": {"enabled": True, "url": url, "events": ["qrcode.updated"]}}
        )
        [[text]] = message(dotted)
        assert text.startswith("webhook.events[0] is not one of enum values: APPLICATION_STARTUP,")

    async def test_settings(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        body = {
            "rejectCall": True,
            "alwaysOnline": False,
            "readMessages": False,
            "readStatus": False,
            "syncFullHistory": False,
        }
        response = await evo.post("/settings/set/acme", json=body, headers=GLOBAL)
        assert message(response) == [['instance requires property "groupsIgnore"']]
        body["groupsIgnore"] = True
        response = await evo.post("/settings/set/acme", json=body, headers=GLOBAL)
        assert response.status_code == 201
        assert response.json() == {"settings": {"instanceName": "acme", "settings": body}}
        found = (await evo.get("/settings/find/acme", headers=GLOBAL)).json()
        assert found["groupsIgnore"] is True and found["msgCall"] == ""


class TestRouting:
    async def test_unknown_routes_and_methods(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        cases = [
            ("PUT", "/instance/restart/acme"),
            ("GET", "/instance/restart/acme"),
            ("GET", "/nope"),
            ("POST", "/instance/connect/a%20b"),
        ]
        for method, path in cases:
            response = await evo.request(method, path, headers=GLOBAL)
            assert response.status_code == 404
            assert response.json() == {
                "status": 404,
                "error": "Not Found",
                "response": {"message": [f"Cannot {method} {path}"]},
            }

    async def test_malformed_json(self, evo: httpx.AsyncClient) -> None:
        response = await evo.post(
            "/instance/create",
            content=b'{"instanceName":"a",}',
            headers={**GLOBAL, "content-type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json() == {
            "status": 400,
            "error": "Internal Server Error",
            "response": {"message": "Expected double-quoted property name in JSON at position 20"},
        }

    async def test_verify_creds_and_root(self, evo: httpx.AsyncClient) -> None:
        ok = await evo.post("/verify-creds", headers=GLOBAL)
        assert ok.json() == {"status": 200, "message": "Credentials are valid"}
        assert (await evo.post("/verify-creds")).status_code == 401
        root = await evo.get("/")
        assert root.json()["version"] == "2.3.6"
        assert root.headers["x-powered-by"] == "Express"

    async def test_openapi_documents_the_control_api(self, evo: httpx.AsyncClient) -> None:
        paths = (await evo.get("/openapi.json")).json()["paths"]
        for path in (
            "/_sim/instances/{name}/scan",
            "/_sim/instances/{name}/drop",
            "/_sim/instances/{name}/messages",
            "/_sim/faults",
            "/_sim/state",
            "/_sim/reset",
        ):
            assert path in paths
        schema = paths["/_sim/instances/{name}/messages"]["post"]["requestBody"]
        assert schema["required"] is True


class TestFaults:
    async def _fault(self, evo: httpx.AsyncClient, **body: Any) -> str:
        response = await evo.post("/_sim/faults", json=body, headers=GLOBAL)
        assert response.status_code == 201, response.text
        fault_id: str = response.json()["id"]
        return fault_id

    async def test_status_fault_applies_times_then_stops(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        await self._fault(evo, route="/instance/connectionState/*", status=503, times=2)
        path = "/instance/connectionState/acme"
        first, second, third = [await evo.get(path, headers=GLOBAL) for _ in range(3)]
        assert first.status_code == second.status_code == 503
        assert first.json() == {
            "status": 503,
            "error": "Service Unavailable",
            "response": {"message": ["Simulated fault"]},
        }
        assert third.status_code == 200

    async def test_custom_body_garbage_latency_and_method(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        await self._fault(
            evo, route="/instance/fetchInstances", status=200, body={"weird": True}, times=1
        )
        assert (await evo.get("/instance/fetchInstances", headers=GLOBAL)).json() == {"weird": True}
        await self._fault(evo, route="/", garbage=True, times=1)
        html = await evo.get("/")
        assert html.status_code == 200 and html.headers["content-type"] == "text/html"
        assert html.text.startswith("<html>")
        await self._fault(evo, route="/instance/*", method="DELETE", status=500, times=1)
        assert (await evo.get("/instance/connectionState/acme", headers=GLOBAL)).is_success
        assert (await evo.delete("/instance/logout/acme", headers=GLOBAL)).status_code == 500
        await self._fault(evo, route="/instance/connectionState/*", latency_ms=500, times=1)
        # A caller that waits less than the injected latency gives up; the fault is spent.
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await evo.get("/instance/connectionState/acme", headers=GLOBAL)
        assert (await evo.get("/instance/connectionState/acme", headers=GLOBAL)).is_success

    async def test_clear_and_control_routes_are_never_faulted(self, evo: httpx.AsyncClient) -> None:
        await self._fault(evo, route="*", status=502)
        assert (await evo.get("/", headers=GLOBAL)).status_code == 502
        assert (await evo.get("/_sim/state", headers=GLOBAL)).status_code == 200
        cleared = await evo.delete("/_sim/faults", headers=GLOBAL)
        assert cleared.json() == {"removed": 1}
        assert (await evo.get("/", headers=GLOBAL)).status_code == 200

    async def test_reset(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        await self._fault(evo, route="/x", status=500)
        await evo.post("/_sim/reset", headers=GLOBAL)
        state = (await evo.get("/_sim/state", headers=GLOBAL)).json()
        assert state["instances"] == [] and state["faults"] == []


def test_command_line_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "evodash.simulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--api-key" in done.stdout and "--offline" in done.stdout
