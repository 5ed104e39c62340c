"""Connection lifecycle: QR codes that scan, pairing codes, scan/drop/logout/restart/delete."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest

from evodash.simulator.service import Simulator
from tests import loopback
from tests.qr import decode_qr
from tests.simulator.conftest import (
    GLOBAL,
    Receiver,
    SimFactory,
    all_events_hook,
    connect_and_scan,
    create_instance,
)


async def _state(client: httpx.AsyncClient, name: str) -> str:
    response = await client.get(f"/instance/connectionState/{name}", headers=GLOBAL)
    state: str = response.json()["instance"]["state"]
    return state


class TestConnect:
    async def test_starts_close_and_connect_yields_a_scannable_qr(
        self, evo: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        await create_instance(evo, "acme", webhook=all_events_hook())
        assert await _state(evo, "acme") == "close"
        response = await evo.get("/instance/connect/acme", headers=GLOBAL)
        body = response.json()
        assert list(body) == ["pairingCode", "code", "base64", "count"]
        assert body["pairingCode"] is None and body["count"] == 1
        assert re.fullmatch(r"2@[^,]+(,[A-Za-z0-9+/=]{44}){3}", body["code"])
        assert decode_qr(body["base64"]) == body["code"]
        assert await _state(evo, "acme") == "connecting"
        [qr] = await receiver.wait_event("qrcode.updated")
        assert qr.body["data"]["qrcode"]["code"] == body["code"]
        assert "sender" not in qr.body
        [conn] = await receiver.wait_event("connection.update")
        assert conn.body["data"] == {"instance": "acme", "state": "connecting", "statusReason": 200}

    async def test_connect_while_connecting_returns_the_same_qr(
        self, evo: httpx.AsyncClient
    ) -> None:
        await create_instance(evo, "acme")
        first = (await evo.get("/instance/connect/acme", headers=GLOBAL)).json()
        again = (await evo.get("/instance/connect/acme", headers=GLOBAL)).json()
        assert again == first

    async def test_pairing_code_with_number(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        response = await evo.get("/instance/connect/acme?number=5511987654321", headers=GLOBAL)
        body = response.json()
        assert re.fullmatch(r"[1-9A-HJ-NP-TV-Z]{8}", body["pairingCode"])
        assert decode_qr(body["base64"]) == body["code"]

    async def test_create_with_qrcode_true_embeds_the_qr(self, evo: httpx.AsyncClient) -> None:
        created = await create_instance(evo, "acme", qrcode=True, number="5511987654321")
        assert created["instance"]["status"] == "connecting"
        assert created["qrcode"]["count"] == 1
        assert len(created["qrcode"]["pairingCode"]) == 8

    async def test_qr_rotates_then_gives_up_at_the_limit(
        self, make_sim: SimFactory, receiver: Receiver
    ) -> None:
        app = make_sim(qr_interval=0.02, qr_limit=3)
        async with loopback.client(
            transport=httpx.ASGITransport(app=app), base_url="http://sim"
        ) as client:
            await create_instance(client, "acme", webhook=all_events_hook())
            await client.get("/instance/connect/acme", headers=GLOBAL)
            refused = await receiver.wait_for(
                lambda reqs: any((r.body["data"] or {}).get("state") == "refused" for r in reqs)
            )
            qrs = [r for r in refused if r.body["event"] == "qrcode.updated"]
            assert [bool(r.body["data"].get("qrcode")) for r in qrs] == [True, True, True, False]
            assert qrs[-1].body["data"] == {
                "message": "QR code limit reached, please login again",
                "statusCode": 500,
            }
            assert len({r.body["data"]["qrcode"]["code"] for r in qrs[:3]}) == 3
            assert await _state(client, "acme") == "close"
            stale = (await client.get("/_sim/state", headers=GLOBAL)).json()
            assert stale["instances"][0]["qrcode"]["count"] == 0

    async def test_offline_server_never_shows_a_qr(
        self, make_sim: SimFactory, receiver: Receiver
    ) -> None:
        app = make_sim(whatsapp_reachable=False, offline_reconnect_interval=0.02)
        async with loopback.client(
            transport=httpx.ASGITransport(app=app), base_url="http://sim"
        ) as client:
            await create_instance(client, "acme", webhook=all_events_hook())
            response = await client.get("/instance/connect/acme", headers=GLOBAL)
            assert response.json() == {"count": 0}
            created = await create_instance(client, "eager", qrcode=True)
            assert created["instance"]["status"] == "close"
            assert created["qrcode"] == {"count": 0}
            await receiver.wait_event("connection.update", count=4)
            assert not receiver.events("qrcode.updated")
            # Once WhatsApp is reachable again the QR appears.
            await client.post("/_sim/whatsapp", json={"reachable": True}, headers=GLOBAL)
            await receiver.wait_event("qrcode.updated")
            body = (await client.get("/instance/connect/acme", headers=GLOBAL)).json()
            assert body["count"] == 1 and decode_qr(body["base64"]) == body["code"]


class TestScanAndDrop:
    async def test_scan_opens_with_owner_and_profile(
        self, evo: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        await create_instance(evo, "acme", webhook=all_events_hook())
        await connect_and_scan(evo, "acme", number="5511912345678")
        assert await _state(evo, "acme") == "open"
        opened = await receiver.wait_for(
            lambda reqs: any((r.body["data"] or {}).get("state") == "open" for r in reqs)
        )
        [event] = [r for r in opened if (r.body["data"] or {}).get("state") == "open"]
        assert event.body["data"] == {
            "instance": "acme",
            "wuid": "5511912345678@s.whatsapp.net",
            "profileName": "Acme Support",
            "profilePictureUrl": None,
            "state": "open",
            "statusReason": 200,
        }
        assert event.body["sender"] == "5511912345678@s.whatsapp.net"
        [row] = (await evo.get("/instance/fetchInstances", headers=GLOBAL)).json()
        assert row["connectionStatus"] == "open"
        assert row["ownerJid"] == "5511912345678@s.whatsapp.net"
        assert row["profileName"] == "Acme Support"
        again = await evo.get("/instance/connect/acme", headers=GLOBAL)
        assert again.json() == {"instance": {"instanceName": "acme", "state": "open"}}

    async def test_scan_needs_a_qr_on_screen(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        response = await evo.post("/_sim/instances/acme/scan", headers=GLOBAL)
        assert response.status_code == 409

    async def test_terminal_drop_closes_with_status_instance(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await create_instance(evo, "acme", webhook=all_events_hook())
        await connect_and_scan(evo, "acme")
        response = await evo.post("/_sim/instances/acme/drop", json={"reason": 403}, headers=GLOBAL)
        assert response.status_code == 200
        assert await _state(evo, "acme") == "close"
        [status] = await receiver.wait_event("status.instance")
        assert status.body["data"]["disconnectionReasonCode"] == 403
        assert status.body["data"]["status"] == "closed"
        await receiver.wait_event("logout.instance")
        await sim.webhooks.drain()
        closes = [
            r for r in receiver.events("connection.update") if r.body["data"]["state"] == "close"
        ]
        assert [c.body["data"]["statusReason"] for c in closes] == [403]
        [row] = (await evo.get("/instance/fetchInstances", headers=GLOBAL)).json()
        assert row["disconnectionReasonCode"] == 403
        assert json.loads(row["disconnectionObject"])["error"]["output"]["statusCode"] == 403

    async def test_transient_drop_reconnects_without_close(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await create_instance(evo, "acme", webhook=all_events_hook())
        await connect_and_scan(evo, "acme")
        await evo.post("/_sim/instances/acme/drop", json={"reason": 408}, headers=GLOBAL)
        assert await _state(evo, "acme") == "connecting"
        await asyncio.sleep(sim.config.reconnect_delay + 0.2)
        assert await _state(evo, "acme") == "open"
        await sim.webhooks.drain()
        states = [r.body["data"]["state"] for r in receiver.events("connection.update")]
        assert "close" not in states and states[-2:] == ["connecting", "open"]
        assert not receiver.events("status.instance")


class TestLogoutRestartDelete:
    async def test_logout_open_instance(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await create_instance(evo, "acme", webhook=all_events_hook())
        await connect_and_scan(evo, "acme")
        response = await evo.delete("/instance/logout/acme", headers=GLOBAL)
        assert response.json() == {
            "status": "SUCCESS",
            "error": False,
            "response": {"message": "Instance logged out"},
        }
        assert await _state(evo, "acme") == "close"
        await sim.webhooks.drain()
        events = {r.body["event"] for r in receiver.requests}
        assert {"status.instance", "logout.instance"} <= events
        [logout] = receiver.events("logout.instance")
        assert logout.body["data"] is None
        assert logout.body["sender"] == "5511987654321@s.whatsapp.net"
        second = await evo.delete("/instance/logout/acme", headers=GLOBAL)
        assert second.status_code == 400
        assert second.json()["response"]["message"] == ['The "acme" instance is not connected']
        # ownerJid and profileName survive a logout
        [row] = (await evo.get("/instance/fetchInstances", headers=GLOBAL)).json()
        assert row["ownerJid"] == "5511987654321@s.whatsapp.net"
        assert row["connectionStatus"] == "close"
        # ... and a new connect shows a new QR
        body = (await evo.get("/instance/connect/acme", headers=GLOBAL)).json()
        assert decode_qr(body["base64"]) == body["code"]

    async def test_restart(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await create_instance(evo, "acme", webhook=all_events_hook())
        closed = await evo.post("/instance/restart/acme", headers=GLOBAL)
        assert closed.json() == {"error": True, "message": "[object Object]"}
        await connect_and_scan(evo, "acme")
        response = await evo.post("/instance/restart/acme", headers=GLOBAL)
        assert response.json() == {"instance": {"instanceName": "acme", "state": "open"}}
        await asyncio.sleep(sim.config.reconnect_delay + 0.2)
        assert await _state(evo, "acme") == "open"
        await sim.webhooks.drain()
        states = [r.body["data"]["state"] for r in receiver.events("connection.update")]
        assert states[-2:] == ["connecting", "open"]

    async def test_delete_while_connecting(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        created = await create_instance(evo, "acme", webhook=all_events_hook())
        await evo.get("/instance/connect/acme", headers=GLOBAL)
        response = await evo.delete("/instance/delete/acme", headers=GLOBAL)
        assert response.json() == {
            "status": "SUCCESS",
            "error": False,
            "response": {"message": "Instance deleted"},
        }
        gone = await evo.get("/instance/connectionState/acme", headers=GLOBAL)
        assert gone.status_code == 404
        await sim.webhooks.drain()
        [deleted] = receiver.events("instance.delete")
        assert deleted.body["data"] == {
            "instanceName": "acme",
            "instanceId": created["instance"]["instanceId"],
        }
        assert receiver.events("remove.instance")[0].body["data"] is None
        assert receiver.events("logout.instance")  # the logout a delete starts

    @pytest.mark.parametrize("reachable", [True, False])
    async def test_logout_while_connecting(self, make_sim: SimFactory, reachable: bool) -> None:
        app = make_sim(whatsapp_reachable=reachable)
        async with loopback.client(
            transport=httpx.ASGITransport(app=app), base_url="http://sim"
        ) as client:
            await create_instance(client, "acme")
            await client.get("/instance/connect/acme", headers=GLOBAL)
            response = await client.delete("/instance/logout/acme", headers=GLOBAL)
            assert response.status_code == 200
            assert await _state(client, "acme") == "close"


class TestZombie:
    """The zombie fault (issue 14): Evolution keeps saying ``open`` while the WhatsApp
    socket is dead, so nothing arrives and every call that needs WhatsApp times out."""

    async def _whatsapp_numbers(self, client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(
            "/chat/whatsappNumbers/acme", json={"numbers": ["5521998765432"]}, headers=GLOBAL
        )

    async def test_open_on_the_surface_dead_behind_until_it_comes_back(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await create_instance(evo, "acme", webhook=all_events_hook())
        await create_instance(evo, "idle")
        refused = await evo.post("/_sim/instances/idle/zombie", json={"on": True}, headers=GLOBAL)
        assert refused.status_code == 409  # only an open instance can be a zombie
        await connect_and_scan(evo, "acme")
        await sim.webhooks.drain()
        heard = len(receiver.requests)

        zombie = await evo.post(
            "/_sim/instances/acme/zombie", json={"on": True, "failAfterMs": 0}, headers=GLOBAL
        )
        assert zombie.status_code == 200
        assert await _state(evo, "acme") == "open"  # what Evolution says
        probe = await self._whatsapp_numbers(evo)
        assert (probe.status_code, probe.json()) == (400, {})
        send = await evo.post(
            "/message/sendText/acme",
            json={"number": "5521998765432", "text": "Oi"},
            headers=GLOBAL,
        )
        assert send.status_code == 500
        assert "Timed Out" in send.text
        inbound = await evo.post(
            "/_sim/instances/acme/messages",
            json={"from": "5521998765432", "type": "text", "text": "Alguém aí?"},
            headers=GLOBAL,
        )
        assert inbound.status_code < 300, inbound.text
        await sim.webhooks.drain()
        assert len(receiver.requests) == heard  # a dead socket tells nobody anything

        alive = await evo.post("/_sim/instances/acme/zombie", json={"on": False}, headers=GLOBAL)
        assert alive.status_code == 200
        probe = await self._whatsapp_numbers(evo)
        assert probe.status_code == 200
        assert probe.json()[0]["exists"] is True
        await evo.post(
            "/_sim/instances/acme/messages",
            json={"from": "5521998765432", "type": "text", "text": "Voltou?"},
            headers=GLOBAL,
        )
        [upsert] = await receiver.wait_event("messages.upsert")
        assert upsert.body["data"]["message"]["conversation"] == "Voltou?"

    async def test_a_call_hangs_until_the_socket_comes_back(
        self, evo: httpx.AsyncClient, sim: Simulator
    ) -> None:
        await create_instance(evo, "acme")
        await connect_and_scan(evo, "acme")
        await evo.post(
            "/_sim/instances/acme/zombie", json={"on": True, "failAfterMs": 60_000}, headers=GLOBAL
        )
        call = asyncio.create_task(self._whatsapp_numbers(evo))
        done, _ = await asyncio.wait({call}, timeout=0.3)
        assert not done  # no answer: the caller's own timeout must decide
        await evo.post("/_sim/instances/acme/zombie", json={"on": False}, headers=GLOBAL)
        async with asyncio.timeout(5):
            answer = await call
        assert answer.status_code == 400  # the call that met the dead socket still failed
        assert (await self._whatsapp_numbers(evo)).status_code == 200
