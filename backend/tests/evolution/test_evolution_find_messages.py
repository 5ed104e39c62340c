"""``EvolutionClient.find_messages`` against the recorded exchanges of ``recorded-chat/``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from evodash.evolution import (
    EvolutionClient,
    EvolutionNotFound,
    EvolutionRejected,
    EvolutionUnauthorized,
)
from evodash.evolution.client import js_time
from evodash.evolution.messages import found_message_object, parse_message
from tests.evolution.conftest import EVOLUTION_DIR, FakeSleep, json_response, load_json

CHAT = EVOLUTION_DIR / "recorded-chat"
PATH = "/chat/findMessages/recprobe"
DAY_START = datetime(2026, 12, 1, 5, 43, 27, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 5, 43, 27, tzinfo=UTC)


def recording(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load_json(CHAT / f"chat_findMessages_{name}.json")
    return data


def answer(name: str) -> httpx.Response:
    response = recording(name)["response"]
    return json_response(response["status"], response["body"])


def sent(route: respx.Route, n: int = -1) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(route.calls[n].request.content)
    return body


class TestTimeFilter:
    def test_bounds_are_iso_utc_with_milliseconds(self) -> None:
        assert js_time(NOW) == "2026-12-02T05:43:27.000Z"
        brt = timezone(timedelta(hours=-3))
        assert js_time(datetime(2026, 12, 2, 2, 43, 27, 123456, tzinfo=brt)) == (
            "2026-12-02T05:43:27.123Z"
        )
        assert js_time(datetime(2026, 12, 2, 5, 43, 27)) == "2026-12-02T05:43:27.000Z"

    async def test_sends_the_recorded_range_and_reads_its_answer(
        self, client: EvolutionClient, evolution: respx.MockRouter
    ) -> None:
        route = evolution.post(PATH).mock(return_value=answer("ts_range_iso"))
        page = await client.find_messages("recprobe", since=DAY_START, until=NOW)
        assert sent(route)["where"] == recording("ts_range_iso")["request"]["body"]["where"]
        assert sent(route)["page"] == 1 and sent(route)["offset"] == 50
        assert route.calls[0].request.headers["apikey"] == "some-test-key"
        assert (page.total, page.pages, page.current_page) == (7, 1, 1)
        assert [r["messageTimestamp"] for r in page.records] == sorted(
            (r["messageTimestamp"] for r in page.records), reverse=True
        )
        assert all(
            DAY_START.timestamp() <= r["messageTimestamp"] <= NOW.timestamp() for r in page.records
        )

    @pytest.mark.parametrize(
        ("page", "size", "since", "until"),
        [
            (0, 50, DAY_START, NOW),
            (1, 0, DAY_START, NOW),
            (1, 501, DAY_START, NOW),
            (1, 5, NOW, DAY_START),
        ],
    )
    async def test_refuses_what_the_server_would_misread(
        self, client: EvolutionClient, page: int, size: int, since: datetime, until: datetime
    ) -> None:
        with pytest.raises(ValueError):
            await client.find_messages(
                "recprobe", since=since, until=until, page=page, page_size=size
            )


class TestPaging:
    async def test_offset_is_the_page_size(
        self, client: EvolutionClient, evolution: respx.MockRouter
    ) -> None:
        def by_page(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            assert body["offset"] == 5
            return answer(
                {1: "page1_offset5", 2: "page2_offset5", 3: "page3_offset5"}.get(
                    body["page"], "page4_offset5_beyond"
                )
            )

        route = evolution.post(PATH).mock(side_effect=by_page)
        seen: list[str] = []
        first = await client.find_messages("recprobe", since=DAY_START, until=NOW, page_size=5)
        assert (first.total, first.pages) == (12, 3)
        seen += [r["key"]["id"] for r in first.records]
        for number in range(2, first.pages + 2):
            page = await client.find_messages(
                "recprobe", since=DAY_START, until=NOW, page=number, page_size=5
            )
            seen += [r["key"]["id"] for r in page.records]
        assert len(seen) == len(set(seen)) == 12
        assert [sent(route, n)["page"] for n in range(4)] == [1, 2, 3, 4]


class TestRecords:
    async def test_an_image_record_reads_as_the_webhook_message(
        self, client: EvolutionClient, evolution: respx.MockRouter
    ) -> None:
        evolution.post(PATH).mock(return_value=answer("row_id"))
        [record] = (await client.find_messages("recprobe", since=DAY_START, until=NOW)).records
        message = parse_message(found_message_object(record))
        assert message.message_id == "48E0C6E95C332A52E77CA"
        assert message.is_image and message.media_mimetype == "image/jpeg"
        assert message.text == "Segue a foto do pedido"
        assert message.sender.digits == "5511987654321"
        assert message.timestamp == datetime.fromtimestamp(1796082207, UTC)
        assert "id" not in message.raw and "MessageUpdate" not in message.raw

    async def test_receipts_become_the_furthest_status(
        self, client: EvolutionClient, evolution: respx.MockRouter
    ) -> None:
        evolution.post(PATH).mock(return_value=answer("no_filter"))
        page = await client.find_messages("recprobe", since=DAY_START, until=NOW)
        acked = next(r for r in page.records if r["MessageUpdate"])
        assert {u["status"] for u in acked["MessageUpdate"]} == {"DELIVERY_ACK", "READ"}
        message = parse_message(found_message_object(acked), own_jid="553199990000@s.whatsapp.net")
        assert message.status == "READ" and message.from_me
        plain = next(r for r in page.records if not r["MessageUpdate"])
        assert parse_message(found_message_object(plain)).status is None


class TestErrors:
    async def test_unknown_instance(
        self, client: EvolutionClient, evolution: respx.MockRouter
    ) -> None:
        evolution.post("/chat/findMessages/doesnotexist").mock(
            return_value=answer("unknown_instance")
        )
        with pytest.raises(EvolutionNotFound):
            await client.find_messages("doesnotexist", since=DAY_START, until=NOW)

    async def test_wrong_key(self, client: EvolutionClient, evolution: respx.MockRouter) -> None:
        evolution.post(PATH).mock(return_value=answer("wrong_apikey"))
        with pytest.raises(EvolutionUnauthorized):
            await client.find_messages("recprobe", since=DAY_START, until=NOW)

    async def test_server_error_is_retried_then_reported(
        self, client: EvolutionClient, evolution: respx.MockRouter, fake_sleep: FakeSleep
    ) -> None:
        route = evolution.post(PATH).mock(return_value=answer("page_negative"))
        with pytest.raises(EvolutionRejected) as caught:
            await client.find_messages("recprobe", since=DAY_START, until=NOW)
        assert route.call_count == 3 and fake_sleep.delays == [0.5, 1.0]
        assert caught.value.evolution_status == 500
