"""``POST /chat/findMessages``: the simulator answers every recorded exchange like 2.3.6,
and keeps the messages whose webhooks never reached anyone."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from evodash.simulator.service import Simulator
from evodash.simulator.state import StoredMessage
from tests.simulator.conftest import (
    GLOBAL,
    GLOBAL_KEY,
    Receiver,
    all_events_hook,
    connect_and_scan,
    create_instance,
    evolution_dir,
    load_json,
)

RECORDED = evolution_dir() / "recorded-chat"
INSTANCE_ID = "64aad390-da54-4c19-9dfb-b6ffad836d44"
TOKEN = "0C1F4C8E-5B5D-4A4C-9C47-3F0B5E6A7D21"
#: Exchanges made while the instance was being deleted (the simulator deletes at once).
DURING_DELETE = {"chat_findMessages_right_after_instance_delete.json"}


def recordings() -> list[Path]:
    return sorted(
        p for p in RECORDED.glob("chat_findMessages_*.json") if p.name not in DURING_DELETE
    )


async def seed_recprobe(evo: httpx.AsyncClient, sim: Simulator) -> None:
    """The recording's instance with its 12 messages (m01…m12 of CONTRACT-chat.md)."""
    await create_instance(evo, "recprobe", token=TOKEN, qrcode=False)
    instance = sim.state.instances["recprobe"]
    instance.id = INSTANCE_ID
    seeded = load_json("recorded-chat/chat_findMessages_offset_large.json")
    records = seeded["response"]["body"]["messages"]["records"]
    for seq, rec in enumerate(reversed(records)):
        data = {k: v for k, v in rec.items() if k not in ("id", "MessageUpdate")}
        instance.messages[rec["key"]["id"]] = StoredMessage(
            key_id=rec["key"]["id"],
            remote_jid=rec["key"]["remoteJid"],
            from_me=rec["key"]["fromMe"],
            data=data,
            db_id=rec["id"],
            updates=[u["status"] for u in rec["MessageUpdate"]],
            seq=seq,
        )


def _by_second(records: list[dict[str, Any]]) -> list[tuple[int, list[str]]]:
    """The records' order as the server defines it: by second, ties in any order."""
    groups: dict[int, list[str]] = defaultdict(list)
    for rec in records:
        groups[rec["messageTimestamp"]].append(rec["id"])
    order = list(dict.fromkeys(r["messageTimestamp"] for r in records))
    return [(ts, sorted(groups[ts])) for ts in order]


@pytest.mark.parametrize("path", recordings(), ids=lambda p: p.stem.removeprefix("chat_"))
async def test_answers_like_the_recorded_server(
    path: Path, evo: httpx.AsyncClient, sim: Simulator
) -> None:
    await seed_recprobe(evo, sim)
    if path.name == "chat_findMessages_after_instance_deleted.json":
        assert (await evo.delete("/instance/delete/recprobe", headers=GLOBAL)).status_code == 200
    recorded = load_json(f"recorded-chat/{path.name}")
    request, expected = recorded["request"], recorded["response"]
    headers = {
        k: {"<global>": GLOBAL_KEY, "<instance-token>": TOKEN}.get(v, v)
        for k, v in request["headers"].items()
    }
    body = request.get("body")
    content = body.encode() if isinstance(body, str) else None
    response = await evo.request(
        request["method"],
        request["path"],
        headers=headers,
        content=content,
        json=None if body is None or content is not None else body,
    )
    assert response.status_code == expected["status"], response.text
    answer = response.json()
    if expected["status"] != 200:
        assert answer == expected["body"]
        return
    want, got = expected["body"]["messages"], answer["messages"]
    assert {k: got[k] for k in ("total", "pages", "currentPage")} == {
        k: want[k] for k in ("total", "pages", "currentPage")
    }
    assert _by_second(got["records"]) == _by_second(want["records"])
    assert {r["id"]: r for r in got["records"]} == {r["id"]: r for r in want["records"]}


async def _open(evo: httpx.AsyncClient) -> dict[str, Any]:
    created = await create_instance(evo, "acme", webhook=all_events_hook())
    await connect_and_scan(evo, "acme")
    return created


async def _find(evo: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await evo.post("/chat/findMessages/acme", json=body, headers=GLOBAL)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["messages"]
    return found


class TestKeptMessages:
    async def test_undelivered_message_is_stored_without_any_webhook(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await _open(evo)
        sent = await evo.post(
            "/_sim/instances/acme/messages",
            json={"from": "5521998765432", "text": "Oi?", "deliverWebhook": False},
            headers=GLOBAL,
        )
        assert sent.status_code == 201
        message_id = sent.json()["id"]
        await sim.webhooks.drain(5)
        posted = [r.body["event"] for r in receiver.requests]
        assert "messages.upsert" not in posted and "contacts.upsert" not in posted
        found = await _find(evo)
        assert [r["key"]["id"] for r in found["records"]] == [message_id]
        assert found["records"][0]["message"]["conversation"] == "Oi?"

    async def test_messages_whose_webhooks_gave_up_are_still_found(
        self, evo: httpx.AsyncClient, receiver: Receiver, sim: Simulator
    ) -> None:
        await _open(evo)
        await sim.webhooks.drain(5)
        receiver.script["/hook"].extend([503] * 40)  # every attempt of the next 10 events
        ids = []
        for n in range(3):
            body = {"from": "5521998765432", "text": f"m{n}", "timestamp": 1_796_000_000 + n}
            ids.append(
                (await evo.post("/_sim/instances/acme/messages", json=body, headers=GLOBAL)).json()[
                    "id"
                ]
            )
        assert await sim.webhooks.drain(10)
        upserts = [d for d in sim.state.deliveries if d.event == "messages.upsert"]
        assert upserts and not any(d.delivered for d in upserts)
        found = await _find(evo, offset=2, page=1)
        assert (found["total"], found["pages"]) == (3, 2)
        assert [r["key"]["id"] for r in found["records"]] == [ids[2], ids[1]]
        second = await _find(evo, offset=2, page=2)
        assert [r["key"]["id"] for r in second["records"]] == [ids[0]]

    async def test_time_filter_takes_milliseconds_and_iso_not_seconds(
        self, evo: httpx.AsyncClient
    ) -> None:
        await _open(evo)
        for ts in (1_796_000_000, 1_796_000_100, 1_796_000_200):
            body = {"from": "5521998765432", "text": str(ts), "timestamp": ts}
            await evo.post("/_sim/instances/acme/messages", json=body, headers=GLOBAL)
        millis = await _find(
            evo, where={"messageTimestamp": {"gte": 1_796_000_100_000, "lte": 1_796_000_200_999}}
        )
        assert [r["messageTimestamp"] for r in millis["records"]] == [1_796_000_200, 1_796_000_100]
        iso = await _find(
            evo,
            where={
                "messageTimestamp": {
                    "gte": "2026-11-30T00:55:00Z",
                    "lte": "2026-11-30T00:56:39.999Z",
                }
            },
        )
        assert [r["messageTimestamp"] for r in iso["records"]] == [1_796_000_100]
        seconds = await _find(
            evo, where={"messageTimestamp": {"gte": 1_796_000_000, "lte": 1_796_000_200}}
        )
        assert seconds["total"] == 0
        one_bound = await _find(evo, where={"messageTimestamp": {"gte": 1_796_000_150_000}})
        assert one_bound["total"] == 3  # silently dropped

    async def test_receipts_are_listed_as_message_updates(
        self, evo: httpx.AsyncClient, sim: Simulator
    ) -> None:
        await _open(evo)
        sent = await evo.post(
            "/_sim/instances/acme/messages",
            json={"from": "5521998765432", "text": "oi"},
            headers=GLOBAL,
        )
        message_id = sent.json()["id"]
        await evo.post(
            f"/_sim/instances/acme/messages/{message_id}/status",
            json={"status": "READ"},
            headers=GLOBAL,
        )
        [record] = (await _find(evo))["records"]
        assert record["MessageUpdate"] == [{"status": "READ"}]
        assert "status" not in record
