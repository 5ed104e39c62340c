"""Every exchange recorded with a real 2.3.6 server, replayed against the simulator.

Each case sets up what the recording needed (instances, webhooks, the offline state of
that server), sends the recorded request as is, and compares status and body: same keys
in the same order, same types and nesting, equal values except ids, tokens, timestamps.
Recorded webhook deliveries are compared with what the simulator sends to a receiver.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests import loopback
from tests.simulator.conftest import (
    BASE_URL,
    GLOBAL,
    Receiver,
    SimFactory,
    assert_same_shape,
    create_instance,
    evolution_dir,
)

Setup = Callable[[httpx.AsyncClient], Awaitable[None]]


def _recorded_request_body(name: str) -> dict[str, Any]:
    data = json.loads((evolution_dir() / "recorded" / name).read_text(encoding="utf-8"))
    body: dict[str, Any] = data["request"]["body"]
    return body


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> None:
    response = await client.post(path, json=body, headers=GLOBAL)
    assert response.status_code in (200, 201), response.text


def created(*names: str) -> Setup:
    async def setup(client: httpx.AsyncClient) -> None:
        for name in names:
            if name == "rec-token":
                await _post(
                    client,
                    "/instance/create",
                    _recorded_request_body("instance_create_with_token_and_settings.json"),
                )
            else:
                await create_instance(client, name)

    return setup


def connected(name: str) -> Setup:
    async def setup(client: httpx.AsyncClient) -> None:
        await create_instance(client, name)
        response = await client.get(f"/instance/connect/{name}", headers=GLOBAL)
        assert response.status_code == 200

    return setup


def then(*steps: Setup) -> Setup:
    async def setup(client: httpx.AsyncClient) -> None:
        for step in steps:
            await step(client)

    return setup


def posted(path: str, recording: str) -> Setup:
    async def setup(client: httpx.AsyncClient) -> None:
        await _post(client, path, _recorded_request_body(recording))

    return setup


async def nothing(_: httpx.AsyncClient) -> None:
    return None


@dataclass(frozen=True)
class Case:
    setup: Setup = nothing
    #: The recording server had no route to WhatsApp: no QR code ever.
    offline: bool = False


CASES: dict[str, Case] = {
    "chat_getBase64FromMediaMessage_unknown_message_id.json": Case(created("rec-hook")),
    "instance_connect_first_call_close_state.json": Case(created("rec-hook"), offline=True),
    "instance_connect_unknown_instance.json": Case(),
    "instance_connectionState_close.json": Case(created("rec-basic")),
    "instance_connectionState_connecting.json": Case(connected("rec-hook"), offline=True),
    "instance_connectionState_unknown_instance.json": Case(),
    "instance_connectionState_wrong_apikey.json": Case(created("rec-basic")),
    "instance_create_duplicate_name.json": Case(created("rec-basic")),
    "instance_create_minimal_baileys.json": Case(),
    "instance_create_missing_apikey.json": Case(),
    "instance_create_with_token_and_settings.json": Case(),
    "instance_create_with_webhook_object_all_events_byEvents_false.json": Case(),
    "instance_delete_unknown_instance.json": Case(),
    "instance_delete_while_connecting.json": Case(connected("rec-qr"), offline=True),
    "instance_fetchInstances_all.json": Case(
        created("rec-basic", "rec-hook-byev", "rec-token", "rec-flat", "rec-hook", "rec-hook-badev")
    ),
    "instance_fetchInstances_all_empty.json": Case(),
    "instance_fetchInstances_by_instanceName.json": Case(created("rec-hook")),
    "instance_fetchInstances_unknown_instanceName.json": Case(),
    "instance_logout_byEvents_instance_400_not_connected.json": Case(created("rec-hook-byev")),
    "instance_logout_success_while_connecting.json": Case(connected("rec-byev2"), offline=True),
    "instance_restart_POST_connecting_state.json": Case(connected("rec-hook"), offline=True),
    "message_sendText_not_connected_close.json": Case(created("rec-token")),
    "root_get_no_apikey.json": Case(),
    "root_get_with_apikey.json": Case(),
    "settings_find_after_set.json": Case(
        then(created("rec-basic"), posted("/settings/set/rec-basic", "settings_set_valid.json"))
    ),
    "settings_set_valid.json": Case(created("rec-basic")),
    "webhook_find_after_set.json": Case(
        then(created("rec-basic"), posted("/webhook/set/rec-basic", "webhook_set_valid.json"))
    ),
    "webhook_find_none_configured.json": Case(created("rec-basic")),
    "webhook_set_invalid_event_name.json": Case(created("rec-basic")),
    "webhook_set_valid.json": Case(created("rec-basic")),
}


def _recorded_files(sub: str = "") -> list[Path]:
    return sorted((evolution_dir() / "recorded" / sub).glob("*.json"))


def test_every_recorded_exchange_has_a_case() -> None:
    files = {p.name for p in _recorded_files()}
    assert files, "no recorded exchanges found"
    assert files - CASES.keys() == set(), "recorded exchanges without a contract case"
    assert CASES.keys() - files == set(), "contract cases without a recording"


def test_every_recorded_webhook_has_a_case() -> None:
    files = {p.name for p in _recorded_files("webhooks")}
    assert files, "no recorded webhooks found"
    assert files == WEBHOOK_CASES.keys()


async def _replay(client: httpx.AsyncClient, request: dict[str, Any]) -> httpx.Response:
    headers = dict(request["headers"])
    content = None
    if request["body"] is not None:
        content = json.dumps(request["body"]).encode()
    return await client.request(
        request["method"], request["path"], headers=headers, content=content
    )


@pytest.mark.parametrize("name", sorted(CASES))
async def test_recorded_exchange(name: str, make_sim: SimFactory) -> None:
    recording = json.loads((evolution_dir() / "recorded" / name).read_text(encoding="utf-8"))
    case = CASES[name]
    app: FastAPI = make_sim(whatsapp_reachable=not case.offline)
    transport = httpx.ASGITransport(app=app)
    async with loopback.client(transport=transport, base_url=BASE_URL) as client:
        await case.setup(client)
        response = await _replay(client, recording["request"])
    assert response.status_code == recording["status"], response.text
    assert response.headers["content-type"] == recording["headers"]["Content-Type"]
    assert_same_shape(response.json(), recording["body"])


# --- webhooks ------------------------------------------------------------------------


def _is_event(event: str, **data: Any) -> Callable[[dict[str, Any]], bool]:
    def match(body: dict[str, Any]) -> bool:
        if body.get("event") != event:
            return False
        got = body.get("data") or {}
        return all(got.get(k) == v for k, v in data.items())

    return match


WEBHOOK_CASES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "connection_update_connecting__byEvents_false.json": _is_event(
        "connection.update", state="connecting"
    ),
    "instance_create__byEvents_false__custom_headers.json": _is_event("instance.create"),
    "instance_delete__byEvents_false.json": _is_event("instance.delete"),
    "logout_instance__after_logout__byEvents_false.json": _is_event("logout.instance"),
    "remove_instance__byEvents_false.json": _is_event("remove.instance"),
    "status_instance_closed_401__after_logout__byEvents_false.json": _is_event("status.instance"),
}

HOOK_A = "http://127.0.0.1:18090/hook-a"


async def _run_recorded_webhook_session(make_sim: SimFactory) -> None:
    """What the harness did to ``rec-hook``: create with a webhook, connect, logout, delete."""
    app = make_sim(whatsapp_reachable=False, offline_reconnect_interval=0.05)
    transport = httpx.ASGITransport(app=app)
    create = _recorded_request_body(
        "instance_create_with_webhook_object_all_events_byEvents_false.json"
    )
    async with loopback.client(transport=transport, base_url=BASE_URL) as client:
        await _post(client, "/instance/create", create)
        assert (await client.get("/instance/connect/rec-hook", headers=GLOBAL)).status_code == 200
        assert (await client.delete("/instance/logout/rec-hook", headers=GLOBAL)).status_code == 200
        assert (await client.delete("/instance/delete/rec-hook", headers=GLOBAL)).status_code == 200
        flushed = await client.post("/_sim/webhooks/flush", headers=GLOBAL)
        assert flushed.json()["done"] is True


@pytest.mark.parametrize("name", sorted(WEBHOOK_CASES))
async def test_recorded_webhook(name: str, make_sim: SimFactory, receiver: Receiver) -> None:
    recording = json.loads(
        (evolution_dir() / "recorded" / "webhooks" / name).read_text(encoding="utf-8")
    )
    expected = recording["request"]
    assert expected["body"]["destination"] == HOOK_A  # the URL the recording session used
    await _run_recorded_webhook_session(make_sim)
    matches = [r for r in receiver.requests if WEBHOOK_CASES[name](r.body)]
    assert matches, f"the simulator sent no {expected['body']['event']}"
    got = matches[0]
    assert got.path == expected["path"]
    for header in ("Accept", "Content-Type", "User-Agent", "Accept-Encoding"):
        assert got.headers[header.lower()] == expected["headers"][header]
    # Custom headers of the webhook are forwarded as configured.
    assert got.headers["x-test-header"] == expected["headers"]["x-test-header"]
    assert got.headers["authorization"] == expected["headers"]["authorization"]
    assert_same_shape(got.body, expected["body"])
    assert got.body["destination"] == HOOK_A
    if "disconnectionObject" in (expected["body"]["data"] or {}):
        assert_same_shape(
            json.loads(got.body["data"]["disconnectionObject"]),
            json.loads(expected["body"]["data"]["disconnectionObject"]),
            exact=False,
        )
        boom = json.loads(got.body["data"]["disconnectionObject"])
        assert boom["error"]["output"]["payload"]["message"] == "Log out instance: rec-hook"
