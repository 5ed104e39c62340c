"""The event log's API: time filters, replaying a filtered selection, the masked payload."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import utcnow
from evodash.webhooks import handlers
from evodash.webhooks.models import WebhookEvent
from tests.webhooks.support import InstanceFactory, events, messages, post_event, text_message


@pytest.fixture
def broken_upsert(monkeypatch: pytest.MonkeyPatch) -> None:
    async def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("handler exploded")

    monkeypatch.setattr(handlers.messages, "store_messages", explode)


async def _age(db: async_sessionmaker[AsyncSession], event_id: int, hours: int) -> None:
    async with db() as session:
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id)
            .values(received_at=utcnow() - timedelta(hours=hours))
        )
        await session.commit()


class TestTimeFilter:
    async def test_lists_the_events_received_in_the_window(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        admin_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        ids = [
            (await post_event(client, hooked, text_message(f"M{n}"))).json()["event_id"]
            for n in range(3)
        ]
        await _age(db, ids[0], 48)
        await _age(db, ids[1], 5)
        since = (utcnow() - timedelta(hours=6)).isoformat()
        until = (utcnow() - timedelta(hours=1)).isoformat()
        listed = await client.get(
            "/api/webhooks/events",
            params={"since": since, "until": until},
            headers=admin_headers,
        )
        assert listed.status_code == 200, listed.text
        assert [e["id"] for e in listed.json()["items"]] == [ids[1]]
        recent = await client.get(
            "/api/webhooks/events", params={"since": since}, headers=admin_headers
        )
        assert [e["id"] for e in recent.json()["items"]] == [ids[2], ids[1]]


class TestReplaySelection:
    async def test_replays_the_failed_events_of_an_instance_once_fixed(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        admin_headers: dict[str, str],
        monkeypatch: pytest.MonkeyPatch,
        broken_upsert: None,
    ) -> None:
        hooked = await instances.create()
        other = await instances.create()
        for n in range(3):
            await post_event(client, hooked, text_message(f"A{n}", instance=hooked.name))
        await post_event(client, other, text_message("B0", instance=other.name))
        assert {e.status for e in await events(db)} == {"failed"}
        selection = {"instance_id": hooked.id, "status": "failed"}
        still = await client.post(
            "/api/webhooks/events/replay", json=selection, headers=admin_headers
        )
        assert still.status_code == 200, still.text
        assert still.json()["outcomes"] == {"failed": 3} and len(still.json()["failed_ids"]) == 3
        monkeypatch.undo()  # the bug is fixed
        report = await client.post(
            "/api/webhooks/events/replay", json=selection, headers=admin_headers
        )
        assert report.json() == {
            "matched": 3,
            "truncated": False,
            "outcomes": {"processed": 3},
            "failed_ids": [],
        }
        assert sorted(m.message_id for m in await messages(db)) == ["A0", "A1", "A2"]
        by_id = {e.id: e for e in await events(db)}
        assert sorted(e.attempts for e in by_id.values()) == [1, 3, 3, 3]
        assert [e.status for e in by_id.values() if e.instance_id == other.id] == ["failed"]

    async def test_selection_is_bounded_and_admin_only(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        refused = await client.post(
            "/api/webhooks/events/replay", json={}, headers=operator_headers
        )
        assert refused.status_code == 403
        too_many = await client.post(
            "/api/webhooks/events/replay",
            json={"ids": list(range(1, 502))},
            headers=admin_headers,
        )
        assert too_many.status_code == 422
        nothing = await client.post("/api/webhooks/events/replay", json={}, headers=admin_headers)
        assert nothing.json() == {
            "matched": 0,
            "truncated": False,
            "outcomes": {},
            "failed_ids": [],
        }


async def test_payload_viewer_masks_credentials_anywhere(
    client: httpx.AsyncClient, instances: InstanceFactory, admin_headers: dict[str, str]
) -> None:
    hooked = await instances.create()
    body = text_message("S1")
    body["data"]["message"]["base64"] = "A" * 10_000
    body["data"]["extra"] = {"headers": {"Authorization": "Bearer abcdefgh12345678"}}
    body["data"]["list"] = [{"token": "TOKEN-0123456789"}]
    event_id = (await post_event(client, hooked, body)).json()["event_id"]
    detail = (await client.get(f"/api/webhooks/events/{event_id}", headers=admin_headers)).json()
    shown = detail["body"]
    assert shown["apikey"] == "****B924"
    assert shown["data"]["extra"]["headers"]["Authorization"] == "****5678"
    assert shown["data"]["list"] == [{"token": "****6789"}]
    assert shown["data"]["message"]["base64"].endswith("(10000 characters, shortened)")
    assert shown["data"]["message"]["conversation"] == "hello"
