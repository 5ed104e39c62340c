"""Messages: sendText, contacts writing in (text and invoice images), media download."""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image

from evodash.simulator.service import Simulator
from tests.simulator.conftest import (
    GLOBAL,
    Receiver,
    all_events_hook,
    connect_and_scan,
    create_instance,
)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


async def _open(evo: httpx.AsyncClient, name: str = "acme", **hook: Any) -> dict[str, Any]:
    created = await create_instance(evo, name, webhook=all_events_hook(**hook))
    await connect_and_scan(evo, name)
    return created


async def _inbound(evo: httpx.AsyncClient, name: str = "acme", **body: Any) -> httpx.Response:
    body.setdefault("from", "5521998765432")
    return await evo.post(f"/_sim/instances/{name}/messages", json=body, headers=GLOBAL)


class TestSendText:
    async def test_open_instance_sends_and_gets_receipts(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        created = await _open(evo)
        response = await evo.post(
            "/message/sendText/acme",
            json={"number": "5521998765432", "text": "Sim, das 9h às 18h."},
            headers={"apikey": created["hash"]},
        )
        assert response.status_code == 201
        sent = response.json()
        assert sent["key"]["remoteJid"] == "5521998765432@s.whatsapp.net"
        assert sent["key"]["fromMe"] is True and sent["key"]["id"].startswith("3EB0")
        assert sent["pushName"] == "Você" and sent["status"] == "PENDING"
        assert sent["message"] == {"conversation": "Sim, das 9h às 18h."}
        assert sent["source"] == "web" and sent["instanceId"] == created["instance"]["instanceId"]
        [event] = await receiver.wait_event("send.message")
        assert event.body["data"] == sent
        updates = await receiver.wait_event("messages.update", count=2)
        assert [u.body["data"]["status"] for u in updates] == ["DELIVERY_ACK", "READ"]
        assert {u.body["data"]["keyId"] for u in updates} == {sent["key"]["id"]}
        assert not receiver.events("messages.upsert")  # API sends are not upserts

    async def test_brazilian_ninth_digit_is_dropped_for_ddd_31_and_up(
        self, evo: httpx.AsyncClient
    ) -> None:
        await _open(evo)
        body = {"number": "+55 (31) 98765-4321", "text": "oi"}
        sent = (await evo.post("/message/sendText/acme", json=body, headers=GLOBAL)).json()
        assert sent["key"]["remoteJid"] == "553187654321@s.whatsapp.net"

    async def test_reply_quotes_the_original(self, evo: httpx.AsyncClient) -> None:
        await _open(evo)
        incoming = (await _inbound(evo, text="Vocês abrem amanhã?", pushName="Maria")).json()
        body = {
            "number": "5521998765432",
            "text": "Sim!",
            "quoted": {"key": {"id": incoming["id"]}},
        }
        sent = (await evo.post("/message/sendText/acme", json=body, headers=GLOBAL)).json()
        assert sent["contextInfo"]["stanzaId"] == incoming["id"]
        assert sent["contextInfo"]["quotedMessage"] == {"conversation": "Vocês abrem amanhã?"}

    async def test_number_not_on_whatsapp(self, evo: httpx.AsyncClient) -> None:
        await _open(evo)
        await evo.post(
            "/_sim/whatsapp", json={"unregisteredNumbers": ["5521900000000"]}, headers=GLOBAL
        )
        body = {"number": "5521900000000", "text": "oi"}
        response = await evo.post("/message/sendText/acme", json=body, headers=GLOBAL)
        assert response.status_code == 400
        assert response.json()["response"]["message"] == [
            {"jid": "5521900000000@s.whatsapp.net", "exists": False, "number": "5521900000000"}
        ]

    async def test_not_connected(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        body = {"number": "5521998765432", "text": "oi"}
        never = await evo.post("/message/sendText/acme", json=body, headers=GLOBAL)
        assert never.status_code == 500
        assert never.json()["response"]["message"] == (
            "Cannot read properties of undefined (reading 'onWhatsApp')"
        )
        await evo.get("/instance/connect/acme", headers=GLOBAL)
        reconnecting = await evo.post("/message/sendText/acme", json=body, headers=GLOBAL)
        assert reconnecting.status_code == 500
        assert reconnecting.json() == {
            "status": 500,
            "error": "Internal Server Error",
            "response": {"message": "Connection Closed"},
        }

    async def test_blank_text_and_schema_errors(self, evo: httpx.AsyncClient) -> None:
        await _open(evo)
        cases: list[tuple[dict[str, Any], Any]] = [
            ({"number": "5521998765432", "text": "   "}, ["Text is required"]),
            ({}, [['instance requires property "number"', 'instance requires property "text"']]),
            ({"number": 5521998765432, "text": "x"}, [["Invalid format"]]),
            ({"number": "1", "text": "x", "delay": "soon"}, [["Enter a value in milliseconds"]]),
        ]
        for body, message in cases:
            response = await evo.post("/message/sendText/acme", json=body, headers=GLOBAL)
            assert response.status_code == 400, body
            assert response.json()["response"]["message"] == message


class TestInbound:
    async def test_text_message_upsert(self, evo: httpx.AsyncClient, receiver: Receiver) -> None:
        created = await _open(evo)
        response = await _inbound(evo, text="Oi! Vocês abrem amanhã?", pushName="Maria Souza")
        assert response.status_code == 201
        [event] = await receiver.wait_event("messages.upsert")
        data = event.body["data"]
        assert data["key"]["remoteJid"].endswith("@lid")
        assert data["key"]["remoteJidAlt"] == "5521998765432@s.whatsapp.net"
        assert data["key"]["participant"] == "" and data["key"]["addressingMode"] == "lid"
        assert data["message"]["conversation"] == "Oi! Vocês abrem amanhã?"
        assert "contextInfo" not in data
        assert data["status"] == "DELIVERY_ACK" and data["pushName"] == "Maria Souza"
        assert data["instanceId"] == created["instance"]["instanceId"]
        assert event.body["sender"] == "5511987654321@s.whatsapp.net"
        await receiver.wait_event("contacts.upsert")
        [chats] = await receiver.wait_event("chats.upsert")
        assert chats.body["data"][0]["remoteJid"] == data["key"]["remoteJid"]

    async def test_phone_addressing_and_the_lid_is_stable(self, evo: httpx.AsyncClient) -> None:
        await _open(evo)
        first = (await _inbound(evo, text="a", addressing="pn")).json()["message"]
        second = (await _inbound(evo, text="b")).json()["message"]
        assert first["key"]["remoteJid"] == "5521998765432@s.whatsapp.net"
        assert first["key"]["remoteJidAlt"] == second["key"]["remoteJid"]

    async def test_group_messages_and_groups_ignore(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await _open(evo)
        group = "120363025987654321@g.us"
        msg = (await _inbound(evo, text="oi grupo", groupJid=group)).json()["message"]
        assert msg["key"]["remoteJid"] == group
        assert msg["key"]["participantAlt"] == "5521998765432@s.whatsapp.net"
        settings = {
            "rejectCall": False,
            "groupsIgnore": True,
            "alwaysOnline": False,
            "readMessages": False,
            "readStatus": False,
            "syncFullHistory": False,
        }
        await evo.post("/settings/set/acme", json=settings, headers=GLOBAL)
        ignored = (await _inbound(evo, text="de novo", groupJid=group)).json()
        assert ignored["ignored"] is True
        await sim.webhooks.drain()
        assert len(receiver.events("messages.upsert")) == 1

    async def test_needs_an_open_instance(self, evo: httpx.AsyncClient) -> None:
        await create_instance(evo, "acme")
        assert (await _inbound(evo, text="oi")).status_code == 409

    async def test_revoke_and_receipts(self, evo: httpx.AsyncClient, receiver: Receiver) -> None:
        await _open(evo)
        incoming = (await _inbound(evo, text="oops")).json()
        revoked = await evo.delete(
            f"/_sim/instances/acme/messages/{incoming['id']}", headers=GLOBAL
        )
        assert revoked.status_code == 200
        [deleted] = await receiver.wait_event("messages.delete")
        assert deleted.body["data"]["id"] == incoming["id"]
        status = await evo.post(
            f"/_sim/instances/acme/messages/{incoming['id']}/status",
            json={"status": "READ"},
            headers=GLOBAL,
        )
        assert status.status_code == 200
        [update] = await receiver.wait_event("messages.update")
        assert update.body["data"]["status"] == "READ" and update.body["data"]["fromMe"] is False


class TestMedia:
    async def test_raw_image_round_trips_through_get_base64(
        self, evo: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        await _open(evo)
        raw = png_bytes()
        image = {"kind": "raw", "base64": base64.b64encode(raw).decode()}
        created = await _inbound(evo, type="image", caption="Comprovante 4812", image=image)
        message_id = created.json()["id"]
        [event] = await receiver.wait_event("messages.upsert")
        media = event.body["data"]["message"]["imageMessage"]
        assert media["mimetype"] == "image/png" and media["caption"] == "Comprovante 4812"
        assert (media["width"], media["height"]) == (64, 48)
        assert media["fileLength"] == {"low": len(raw), "high": 0, "unsigned": True}
        assert event.body["data"]["messageType"] == "imageMessage"
        assert event.body["data"]["contextInfo"] is None
        assert "base64" not in event.body["data"]["message"]

        body = {"message": {"key": {"id": message_id}}, "convertToMp4": False}
        response = await evo.post("/chat/getBase64FromMediaMessage/acme", json=body, headers=GLOBAL)
        assert response.status_code == 201
        got = response.json()
        assert base64.b64decode(got["base64"]) == raw
        assert got["mediaType"] == "imageMessage" and got["fileName"] == f"{message_id}.png"
        assert got["caption"] == "Comprovante 4812" and got["buffer"] is None
        # The full-message form works as well.
        full = {
            "message": {"key": event.body["data"]["key"], "message": event.body["data"]["message"]}
        }
        again = await evo.post("/chat/getBase64FromMediaMessage/acme", json=full, headers=GLOBAL)
        assert base64.b64decode(again.json()["base64"]) == raw

    async def test_webhook_base64_is_read_when_the_socket_starts(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await _open(evo)  # base64 off when the socket was created
        hook = {"webhook": {**all_events_hook(base64=True), "enabled": True}}
        await evo.post("/webhook/set/acme", json=hook, headers=GLOBAL)
        image = {"kind": "raw", "base64": base64.b64encode(png_bytes()).decode()}
        await _inbound(evo, type="image", image=image)
        [before] = await receiver.wait_event("messages.upsert")
        assert "base64" not in before.body["data"]["message"]
        seen = len(receiver.events("connection.update"))
        await evo.post("/instance/restart/acme", headers=GLOBAL)  # CONTRACT §6.1
        updates = await receiver.wait_event("connection.update", count=seen + 2)
        assert [u.body["data"]["state"] for u in updates[seen:]] == ["connecting", "open"]
        await _inbound(evo, type="image", image=image)
        [_, after] = await receiver.wait_event("messages.upsert", count=2)
        assert base64.b64decode(after.body["data"]["message"]["base64"]) == png_bytes()

    async def test_get_base64_errors(self, evo: httpx.AsyncClient) -> None:
        await _open(evo)
        text = (await _inbound(evo, text="no media")).json()
        cases = [
            ({}, "TypeError: Cannot read properties of undefined (reading 'key')"),
            ({"message": {"key": {"id": "3EB0000000000000000000"}}}, "Message not found"),
            ({"message": {"key": {"id": text["id"]}}}, "The message is not of the media type"),
        ]
        for body, message in cases:
            response = await evo.post(
                "/chat/getBase64FromMediaMessage/acme", json=body, headers=GLOBAL
            )
            assert response.status_code == 400
            assert response.json()["response"]["message"] == [message]

    @pytest.mark.parametrize("kind", ["pix", "boleto", "invoice"])
    async def test_invoice_images_carry_readable_codes(
        self, evo: httpx.AsyncClient, kind: str
    ) -> None:
        pytest.importorskip("evodash.invoices.render")
        await _open(evo)
        image = {"kind": kind, "amount": "1234.56", "dueDate": "2026-12-10"}
        created = (await _inbound(evo, type="image", caption="fatura", image=image)).json()
        details = created["image"]
        assert details["kind"] == kind and Decimal(details["amount"]) == Decimal("1234.56")
        body = {"message": {"key": {"id": created["id"]}}}
        media = await evo.post("/chat/getBase64FromMediaMessage/acme", json=body, headers=GLOBAL)
        assert media.json()["mimetype"] == "image/jpeg"
        picture = Image.open(io.BytesIO(base64.b64decode(media.json()["base64"])))
        texts = {r.text for r in zxingcpp.read_barcodes(picture)}
        if kind in ("pix", "invoice"):
            assert details["pixPayload"] in texts
            assert "54071234.56" in details["pixPayload"]  # the amount field of the BR Code
        if kind in ("boleto", "invoice"):
            assert details["boletoBarcode"] in texts
            assert details["dueDate"] == "2026-12-10"
        if kind == "invoice":
            assert details["cnpj"] == "11222333000181"
