"""The simulator's bodies and webhooks have the shapes of CONTRACT's example fixtures
(``responses/`` and ``webhooks/``): same keys in the same order, same types, same nesting.
"""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from evodash.simulator import create_simulator_app, get_simulator
from tests import loopback
from tests.simulator.conftest import (
    BASE_URL,
    GLOBAL,
    GLOBAL_KEY,
    Receiver,
    SimFactory,
    all_events_hook,
    assert_same_shape,
    create_instance,
    evolution_dir,
    load_json,
)

PIC = "https://pps.whatsapp.net/v/t61.24694-24/1_n.jpg"


def jpeg(size: tuple[int, int] = (960, 1280)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


async def _ok(response: httpx.Response) -> Any:
    assert response.is_success, response.text
    return response.json()


async def _scan(client: httpx.AsyncClient, name: str, pic: str | None = PIC) -> None:
    await _ok(await client.get(f"/instance/connect/{name}", headers=GLOBAL))
    body = {"number": "5511987654321", "profileName": "Acme Support", "profilePictureUrl": pic}
    await _ok(await client.post(f"/_sim/instances/{name}/scan", json=body, headers=GLOBAL))


async def _inbound(client: httpx.AsyncClient, name: str, **body: Any) -> dict[str, Any]:
    body.setdefault("from", "5521998765432")
    body.setdefault("pushName", "Maria Souza")
    data: dict[str, Any] = await _ok(
        await client.post(f"/_sim/instances/{name}/messages", json=body, headers=GLOBAL)
    )
    return data


IMAGE = {"kind": "raw", "base64": base64.b64encode(jpeg()).decode()}


async def _main_session(client: httpx.AsyncClient) -> dict[str, Any]:
    """One instance through its whole life; returns the HTTP answers worth comparing."""
    got: dict[str, Any] = {}
    await create_instance(client, "acme", webhook=all_events_hook())
    await _scan(client, "acme")
    text = await _inbound(client, "acme", text="Oi! Vocês abrem amanhã?")
    await _inbound(client, "acme", text="Segue o catálogo.", fromMe=True, addressing="pn")
    image = await _inbound(client, "acme", type="image", caption="Comprovante", image=IMAGE)
    body = {"message": {"key": {"id": image["id"]}}, "convertToMp4": False}
    got["get-base64-from-media-message.json"] = await _ok(
        await client.post("/chat/getBase64FromMediaMessage/acme", json=body, headers=GLOBAL)
    )
    got["send-text.json"] = await _ok(
        await client.post(
            "/message/sendText/acme", json=load_json("requests/send-text.json"), headers=GLOBAL
        )
    )
    got["set-presence.json"] = await _ok(
        await client.post(
            "/instance/setPresence/acme",
            json=load_json("requests/set-presence.json"),
            headers=GLOBAL,
        )
    )
    got["connect-already-open.json"] = await _ok(
        await client.get("/instance/connect/acme", headers=GLOBAL)
    )
    got["connection-state-open.json"] = await _ok(
        await client.get("/instance/connectionState/acme", headers=GLOBAL)
    )
    await asyncio.sleep(0.1)  # the phone's receipts (messages.update) arrive
    got["restart.json"] = await _ok(await client.post("/instance/restart/acme", headers=GLOBAL))
    await client.post("/_sim/webhooks/flush", headers=GLOBAL)
    await client.delete(f"/_sim/instances/acme/messages/{text['id']}", headers=GLOBAL)
    await client.post("/_sim/instances/acme/drop", json={"reason": 401}, headers=GLOBAL)
    got["connection-state-close.json"] = await _ok(
        await client.get("/instance/connectionState/acme", headers=GLOBAL)
    )
    got["delete.json"] = await _ok(await client.delete("/instance/delete/acme", headers=GLOBAL))
    await client.post("/_sim/webhooks/flush", headers=GLOBAL)
    return got


async def _setup_session(client: httpx.AsyncClient) -> dict[str, Any]:
    """Create/webhook/settings/fetch answers."""
    got: dict[str, Any] = {}
    got["instance-create.json"] = await _ok(
        await client.post(
            "/instance/create", json=load_json("requests/instance-create.json"), headers=GLOBAL
        )
    )
    got["connection-state-connecting.json"] = await _ok(
        await client.get("/instance/connectionState/acme-support", headers=GLOBAL)
    )
    got["connect.json"] = await _ok(
        await client.get("/instance/connect/acme-support", headers=GLOBAL)
    )
    got["instance-create-no-qrcode.json"] = await _ok(
        await client.post(
            "/instance/create",
            json=load_json("requests/instance-create-minimal.json"),
            headers=GLOBAL,
        )
    )
    got["webhook-find-none.json"] = await _ok(
        await client.get("/webhook/find/beta-sales", headers=GLOBAL)
    )
    got["webhook-set.json"] = await _ok(
        await client.post(
            "/webhook/set/beta-sales", json=load_json("requests/webhook-set.json"), headers=GLOBAL
        )
    )
    got["webhook-find.json"] = await _ok(
        await client.get("/webhook/find/beta-sales", headers=GLOBAL)
    )
    got["webhook-set-disabled.json"] = await _ok(
        await client.post(
            "/webhook/set/beta-sales",
            json=load_json("requests/webhook-disable.json"),
            headers=GLOBAL,
        )
    )
    got["settings-set.json"] = await _ok(
        await client.post(
            "/settings/set/beta-sales", json=load_json("requests/settings-set.json"), headers=GLOBAL
        )
    )
    got["settings-find.json"] = await _ok(
        await client.get("/settings/find/beta-sales", headers=GLOBAL)
    )
    # fetch-instances.json: one open instance, one logged out after being open.
    await client.post(
        "/_sim/instances/acme-support/scan", json={"profilePictureUrl": PIC}, headers=GLOBAL
    )
    await _scan(client, "beta-sales", pic=None)
    got["logout.json"] = await _ok(
        await client.delete("/instance/logout/beta-sales", headers=GLOBAL)
    )
    got["fetch-instances.json"] = await _ok(
        await client.get("/instance/fetchInstances", headers=GLOBAL)
    )
    await client.delete("/instance/logout/acme-support", headers=GLOBAL)
    got["connect-error-200.json"] = await _ok(
        await client.post("/instance/restart/acme-support", headers=GLOBAL)
    )
    got["root.json"] = await _ok(await client.get("/"))
    got["verify-creds.json"] = await _ok(await client.post("/verify-creds", headers=GLOBAL))
    return got


async def _pairing_session(client: httpx.AsyncClient) -> dict[str, Any]:
    await create_instance(client, "pair", webhook=all_events_hook())
    got = {
        "connect-pairing-code.json": await _ok(
            await client.get("/instance/connect/pair?number=5511987654321", headers=GLOBAL)
        )
    }
    return got


@dataclass
class Sessions:
    answers: dict[str, Any]
    receiver: Receiver


@pytest.fixture(scope="module")
async def sessions() -> AsyncIterator[Sessions]:
    """Run the scenarios once for the module (each app's webhooks go to one receiver)."""
    receiver = Receiver()
    async with loopback.client(transport=httpx.ASGITransport(app=receiver.app)) as hooks:
        apps: list[FastAPI] = []

        def make_sim(**options: Any) -> FastAPI:
            app = create_simulator_app(
                api_key=GLOBAL_KEY,
                public_url=BASE_URL,
                webhook_client=hooks,
                receipt_delay=0.01,
                **options,
            )
            apps.append(app)
            return app

        try:
            yield Sessions(await _run_sessions(make_sim, receiver), receiver)
        finally:
            for app in apps:
                await get_simulator(app).aclose()


async def _run_sessions(make_sim: SimFactory, receiver: Receiver) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for options, session in (
        ({}, _main_session),
        ({}, _setup_session),
        ({"qr_interval": 0.05, "qr_limit": 1}, _pairing_session),
    ):
        app = make_sim(**options)
        transport = httpx.ASGITransport(app=app)
        async with loopback.client(transport=transport, base_url="http://sim") as client:
            answers.update(await session(client))
    await receiver.wait_for(lambda reqs: any(_data(r.body).get("state") == "refused" for r in reqs))
    # A base64-enabled instance for messages-upsert-image-base64.json.
    app = make_sim()
    async with loopback.client(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        await create_instance(c, "b64", webhook=all_events_hook(base64=True))
        await _scan(c, "b64")
        await _inbound(c, "b64", type="image", caption="Comprovante", image=IMAGE)
        await c.post("/_sim/webhooks/flush", headers=GLOBAL)
    return answers


RESPONSE_FIXTURES = sorted(
    {
        "connect-already-open.json",
        "connect-error-200.json",
        "connect-pairing-code.json",
        "connect.json",
        "connection-state-close.json",
        "connection-state-connecting.json",
        "connection-state-open.json",
        "delete.json",
        "fetch-instances.json",
        "get-base64-from-media-message.json",
        "instance-create-no-qrcode.json",
        "instance-create.json",
        "logout.json",
        "restart.json",
        "root.json",
        "send-text.json",
        "set-presence.json",
        "settings-find.json",
        "settings-set.json",
        "verify-creds.json",
        "webhook-find-none.json",
        "webhook-find.json",
        "webhook-set-disabled.json",
        "webhook-set.json",
    }
)


@pytest.mark.parametrize("fixture", RESPONSE_FIXTURES)
async def test_response_shapes(fixture: str, sessions: Sessions) -> None:
    assert_same_shape(sessions.answers[fixture], load_json(f"responses/{fixture}"), exact=False)


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    return data if isinstance(data, dict) else {}


Matcher = Callable[[dict[str, Any]], bool]


def _event(name: str, check: Matcher = lambda _: True) -> Matcher:
    return lambda body: body["event"] == name and check(body)


WEBHOOK_FIXTURES: dict[str, Matcher] = {
    "connection-update-close.json": _event(
        "connection.update", lambda b: _data(b).get("state") == "close"
    ),
    "connection-update-connecting.json": _event(
        "connection.update", lambda b: _data(b).get("state") == "connecting" and "sender" not in b
    ),
    "connection-update-open.json": _event(
        "connection.update", lambda b: _data(b).get("state") == "open"
    ),
    "connection-update-refused.json": _event(
        "connection.update", lambda b: _data(b).get("state") == "refused"
    ),
    "instance-create.json": _event("instance.create"),
    "instance-delete.json": _event("instance.delete"),
    "logout-instance.json": _event("logout.instance", lambda b: "sender" in b),
    "messages-delete.json": _event("messages.delete"),
    "messages-update.json": _event("messages.update"),
    "messages-upsert-image.json": _event(
        "messages.upsert",
        lambda b: "imageMessage" in _data(b)["message"] and "base64" not in _data(b)["message"],
    ),
    "messages-upsert-image-base64.json": _event(
        "messages.upsert", lambda b: "base64" in _data(b)["message"]
    ),
    "messages-upsert-text.json": _event(
        "messages.upsert",
        lambda b: "conversation" in _data(b)["message"] and not _data(b)["key"]["fromMe"],
    ),
    "messages-upsert-from-me.json": _event(
        "messages.upsert", lambda b: _data(b)["key"]["fromMe"] is True
    ),
    "qrcode-updated.json": _event(
        "qrcode.updated",
        lambda b: "qrcode" in _data(b) and _data(b)["qrcode"]["pairingCode"] is None,
    ),
    "qrcode-updated-limit-reached.json": _event("qrcode.updated", lambda b: "message" in _data(b)),
    "qrcode-updated-pairing-code.json": _event(
        "qrcode.updated", lambda b: bool((_data(b).get("qrcode") or {}).get("pairingCode"))
    ),
    "remove-instance.json": _event("remove.instance", lambda b: "sender" in b),
    "send-message.json": _event("send.message"),
    "status-instance.json": _event("status.instance", lambda b: "sender" in b),
}


@pytest.mark.parametrize("fixture", sorted(WEBHOOK_FIXTURES))
async def test_webhook_shapes(fixture: str, sessions: Sessions) -> None:
    matches = [r.body for r in sessions.receiver.requests if WEBHOOK_FIXTURES[fixture](r.body)]
    assert matches, f"no webhook like {fixture}"
    assert_same_shape(matches[0], load_json(f"webhooks/{fixture}"), exact=False)


def test_fixture_lists_cover_the_simulated_events() -> None:
    skipped = {  # legacy serialization, and kinds the simulator does not produce
        "messages-upsert-image-legacy-format.json",
        "messages-upsert-text-reply.json",
        "messages-upsert-group.json",
    }
    webhook_files = {p.name for p in (evolution_dir() / "webhooks").glob("*.json")}
    assert webhook_files - skipped == WEBHOOK_FIXTURES.keys()
