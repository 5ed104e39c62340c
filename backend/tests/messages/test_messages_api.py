"""The messages API: keyset pagination, filters, search, detail, raw payload, counts."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from tests.webhooks.support import Hooked, InstanceFactory, image_message, post_event, text_message

#: 2025-01-15T12:00:00Z: filters only take dates in the years 2000 to 2099.
T0 = 1736942400


async def _seed(client: httpx.AsyncClient, hooked: Hooked, count: int) -> None:
    """``count`` messages; timestamps repeat so that the id breaks ties."""
    rng = random.Random(7)
    for i in range(count):
        body = text_message(
            f"M{i:04d}",
            sender="5521998765432" if i % 3 else "5531987654321",
            text_body=f"pedido {i}" if i % 5 else f"Boleto vence amanhã {i}",
            timestamp=1736950000 + rng.randrange(8),
        )
        if i % 4 == 0:
            body["data"]["key"]["fromMe"] = True
        assert (await post_event(client, hooked, body)).status_code == 200


async def _all_pages(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        query = dict(params, limit=params.get("limit", 7))
        if cursor:
            query["cursor"] = cursor
        response = await client.get("/api/messages", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def _key(item: dict[str, Any]) -> tuple[str, int]:
    return item["wa_timestamp"], item["id"]


class TestListMessages:
    async def test_keyset_pages_cover_everything_once_newest_first(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        viewer_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        await _seed(client, hooked, 40)
        items = await _all_pages(client, viewer_headers)
        assert len(items) == 40
        assert len({i["id"] for i in items}) == 40
        assert [_key(i) for i in items] == sorted((_key(i) for i in items), reverse=True)

    async def test_a_new_message_does_not_shift_later_pages(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        viewer_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        await _seed(client, hooked, 10)
        first = (await client.get("/api/messages?limit=4", headers=viewer_headers)).json()
        await post_event(client, hooked, text_message("NEWEST", timestamp=1736999999))
        second = (
            await client.get(
                "/api/messages",
                params={"limit": 4, "cursor": first["next_cursor"]},
                headers=viewer_headers,
            )
        ).json()
        assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
        assert _key(second["items"][0]) < _key(first["items"][-1])

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"direction": "out"}, lambda m: m["direction"] == "out"),
            ({"direction": "in"}, lambda m: m["direction"] == "in"),
            ({"sender": "553187654321"}, lambda m: m["sender_phone"] == "+5531987654321"),
            ({"sender": "+55 31 98765-4321"}, lambda m: m["sender_phone"] == "+5531987654321"),
            ({"q": "boleto"}, lambda m: "Boleto" in m["text"]),
            ({"q": "98765-4321"}, lambda m: "987654321" in m["sender_phone"]),
            ({"type": "text"}, lambda m: m["message_type"] == "text"),
            ({"allowed": "true"}, lambda m: m["is_allowed"]),
        ],
    )
    async def test_filters_and_search(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        viewer_headers: dict[str, str],
        params: dict[str, str],
        expected: Any,
    ) -> None:
        hooked = await instances.create()
        other = await instances.create()
        await _seed(client, hooked, 24)
        await post_event(client, other, text_message("ELSEWHERE"))
        everything = await _all_pages(client, viewer_headers, instance_id=hooked.id)
        filtered = await _all_pages(client, viewer_headers, instance_id=hooked.id, **params)
        want = [m["id"] for m in everything if expected(m)]
        assert want, "the seed must contain matching messages"
        assert [m["id"] for m in filtered] == want

    async def test_blocked_filter_and_time_range(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        viewer_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create(allowed_numbers=["5511987654321"])
        await post_event(
            client, hooked, text_message("OK", sender="5511987654321", timestamp=T0 + 100)
        )
        await post_event(
            client, hooked, text_message("NO", sender="5521998765432", timestamp=T0 + 200)
        )
        blocked = await _all_pages(client, viewer_headers, allowed="false")
        assert [m["message_id"] for m in blocked] == ["NO"]
        early = await _all_pages(client, viewer_headers, until="2025-01-15T12:02:30Z")
        assert [m["message_id"] for m in early] == ["OK"]
        late = await _all_pages(client, viewer_headers, since="2025-01-15T12:02:30Z")
        assert [m["message_id"] for m in late] == ["NO"]

    async def test_bad_cursor_is_400(
        self, client: httpx.AsyncClient, viewer_headers: dict[str, str]
    ) -> None:
        response = await client.get("/api/messages?cursor=garbage", headers=viewer_headers)
        assert response.status_code == 400

    async def test_needs_a_user(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/api/messages")).status_code == 401


class TestMessageDetail:
    async def test_detail_and_raw_for_admins_only(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        viewer_headers: dict[str, str],
        admin_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        await post_event(client, hooked, image_message("IMG", base64="aGVsbG8="))
        [item] = (await client.get("/api/messages", headers=viewer_headers)).json()["items"]
        detail = await client.get(f"/api/messages/{item['id']}", headers=viewer_headers)
        assert detail.status_code == 200
        assert "raw" not in detail.json()
        assert detail.json()["media_mimetype"] == "image/jpeg"
        raw_url = f"/api/messages/{item['id']}/raw"
        assert (await client.get(raw_url, headers=viewer_headers)).status_code == 403
        raw = (await client.get(raw_url, headers=admin_headers)).json()["raw"]
        assert raw["key"]["id"] == "IMG"
        assert "base64" not in raw["message"]  # kept only in the inbox event

    async def test_missing_message_is_404(
        self, client: httpx.AsyncClient, viewer_headers: dict[str, str]
    ) -> None:
        assert (await client.get("/api/messages/424242", headers=viewer_headers)).status_code == 404


class TestCounts:
    async def test_counts_per_instance(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        viewer_headers: dict[str, str],
    ) -> None:
        first = await instances.create(allowed_numbers=["5511987654321"])
        second = await instances.create()
        await post_event(client, first, text_message("A", sender="5511987654321"))
        await post_event(client, first, text_message("B", sender="5521998765432"))
        mine = text_message("C")
        mine["data"]["key"]["fromMe"] = True
        await post_event(client, first, mine)
        await post_event(client, second, text_message("D"))
        counts = (await client.get("/api/messages/counts", headers=viewer_headers)).json()
        by_id = {c["instance_id"]: c for c in counts}
        assert {k: by_id[first.id][k] for k in ("total", "incoming", "outgoing", "blocked")} == {
            "total": 3,
            "incoming": 2,
            "outgoing": 1,
            "blocked": 1,
        }
        assert by_id[second.id]["total"] == 1
        assert by_id[first.id]["last_message_at"] is not None
