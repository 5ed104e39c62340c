"""Reports against hand-computed figures, in UTC and in America/Sao_Paulo, as JSON and
as CSV parsed back."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import WhatsAppMessage
from evodash.reports import service as report_service
from evodash.reports.models import UptimeDaily
from evodash.servers.models import EvolutionServer
from tests.factories import UserFactory

AsUser = Callable[[Any], Awaitable[dict[str, str]]]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (instance, UTC time, direction, allowed, sender)
MESSAGES = [
    ("a", "2026-11-10 10:00", "in", True, "5511999990001"),
    ("a", "2026-11-10 10:30", "in", False, "5511999990002"),
    ("a", "2026-11-10 12:00", "out", True, None),
    ("a", "2026-11-11 01:00", "in", True, "5511999990001"),  # 22:00 of the 10th in São Paulo
    ("b", "2026-11-11 23:30", "in", True, "5511999990003"),
    ("b", "2026-11-12 02:00", "in", True, "5511999990003"),  # 23:00 of the 11th in São Paulo
]


async def seed(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with db() as s:
        servers = [
            EvolutionServer(
                name=f"s{n}", base_url=f"http://evo{n}", api_key_encrypted="x", api_key_last4="abcd"
            )
            for n in (1, 2)
        ]
        s.add_all(servers)
        await s.flush()
        created = at("2026-11-01 00:00")
        a = EvolutionInstance(
            server_id=servers[0].id, display_name="=Loja Centro", name="a", created_at=created
        )
        b = EvolutionInstance(
            server_id=servers[1].id, display_name="Filial São João", name="b", created_at=created
        )
        s.add_all([a, b])
        await s.flush()
        ids = {"a": a.id, "b": b.id, "server1": servers[0].id, "server2": servers[1].id}
        for n, (who, when, direction, allowed, sender) in enumerate(MESSAGES):
            s.add(
                WhatsAppMessage(
                    instance_id=ids[who],
                    message_id=f"M{n}",
                    remote_jid="x@s.whatsapp.net",
                    sender_phone=sender,
                    direction=direction,
                    message_type="conversation",
                    wa_timestamp=at(when),
                    is_allowed=allowed,
                    raw={},
                )
            )
        for state, when in [
            ("open", "2026-11-09 12:00"),
            ("close", "2026-11-10 06:00"),
            ("open", "2026-11-10 12:00"),
        ]:
            s.add(ConnectionEvent(instance_id=a.id, state=state, source="webhook", at=at(when)))
        for status, seconds in [("succeeded", 2), ("succeeded", 4), ("failed", 1)]:
            s.add(
                ImageProcessingJob(
                    instance_id=a.id,
                    status=status,
                    created_at=at("2026-11-10 09:00"),
                    started_at=at("2026-11-10 10:00:00"),
                    finished_at=at(f"2026-11-10 10:00:0{seconds}"),
                )
            )
        await s.commit()
    return ids


@pytest.fixture
async def ids(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    return await seed(db)


@pytest.fixture
async def headers(users: UserFactory, as_user: AsUser) -> dict[str, str]:
    return await as_user(await users.viewer())


def parse_csv(response: httpx.Response, sep: str = ",") -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=sep))


class TestMessagesReport:
    async def test_utc_days(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        r = await client.get(
            "/api/reports/messages",
            params={"from": "2026-11-10", "to": "2026-11-12"},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        rows = [
            (x["day"], x["instance_id"], x["received"], x["sent"], x["blocked"])
            for x in body["rows"]
        ]
        assert rows == [
            ("2026-11-10", ids["a"], 2, 1, 1),
            ("2026-11-11", ids["a"], 1, 0, 0),
            ("2026-11-11", ids["b"], 1, 0, 0),
            ("2026-11-12", ids["b"], 1, 0, 0),
        ]
        assert body["totals"] == {"received": 5, "sent": 1, "blocked": 1}
        assert body["from"] == "2026-11-10" and body["tz"] == "UTC"
        assert body["truncated"] is False

    async def test_rows_are_bounded_at_a_whole_day(
        self,
        client: httpx.AsyncClient,
        headers: dict[str, str],
        ids: dict[str, int],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Two rows fit: the 10th (one row) whole; the 11th (two rows) would be cut, so it
        # goes entirely. The totals stay the whole period's.
        monkeypatch.setattr(report_service, "MAX_ROWS", 2)
        params = {"from": "2026-11-10", "to": "2026-11-12"}
        body = (await client.get("/api/reports/messages", params=params, headers=headers)).json()
        assert [(x["day"], x["instance_id"]) for x in body["rows"]] == [("2026-11-10", ids["a"])]
        assert body["truncated"] is True
        assert body["totals"] == {"received": 5, "sent": 1, "blocked": 1}

    async def test_sao_paulo_days_and_scope(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        params = {"from": "2026-11-10", "to": "2026-11-11", "tz": "America/Sao_Paulo"}
        r = await client.get("/api/reports/messages", params=params, headers=headers)
        rows = [(x["day"], x["instance_id"], x["received"], x["sent"]) for x in r.json()["rows"]]
        assert rows == [("2026-11-10", ids["a"], 3, 1), ("2026-11-11", ids["b"], 2, 0)]
        r = await client.get(
            "/api/reports/messages", params={**params, "server_id": ids["server2"]}, headers=headers
        )
        assert [x["instance_id"] for x in r.json()["rows"]] == [ids["b"]]
        r = await client.get(
            "/api/reports/messages", params={**params, "instance_id": ids["a"]}, headers=headers
        )
        assert r.json()["totals"] == {"received": 3, "sent": 1, "blocked": 1}

    async def test_a_zone_ahead_of_utc(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        params = {"from": "2026-11-10", "to": "2026-11-12", "tz": "Asia/Tokyo"}
        r = await client.get("/api/reports/messages", params=params, headers=headers)
        rows = [(x["day"], x["instance_id"], x["received"], x["sent"]) for x in r.json()["rows"]]
        assert rows == [
            ("2026-11-10", ids["a"], 2, 1),
            ("2026-11-11", ids["a"], 1, 0),
            ("2026-11-12", ids["b"], 2, 0),
        ]

    async def test_deleting_messages_keeps_history_and_lowers_the_total(
        self,
        client: httpx.AsyncClient,
        headers: dict[str, str],
        ids: dict[str, int],
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        async with db() as s:
            await s.execute(delete(WhatsAppMessage).where(WhatsAppMessage.instance_id == ids["a"]))
            await s.commit()
        r = await client.get(
            "/api/reports/messages",
            params={"from": "2026-11-10", "to": "2026-11-12"},
            headers=headers,
        )
        assert r.json()["totals"]["received"] == 5
        overview = (await client.get("/api/stats/overview", headers=headers)).json()
        assert overview["messages"]["total"] == 2

    async def test_csv_semicolon_neutralises_formulas(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        r = await client.get(
            "/api/reports/messages",
            params={"from": "2026-11-10", "to": "2026-11-12", "format": "csv", "sep": ";"},
            headers=headers,
        )
        assert r.status_code == 200
        assert "attachment" in r.headers["content-disposition"]
        rows = parse_csv(r, ";")
        assert rows[0] == {
            "day": "2026-11-10",
            "instance_id": str(ids["a"]),
            "instance": "'=Loja Centro",
            "received": "2",
            "sent": "1",
            "blocked": "1",
        }
        assert rows[2]["instance"] == "Filial São João"


class TestOtherReports:
    async def test_busiest_hours(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        r = await client.get(
            "/api/reports/hours", params={"from": "2026-11-10", "to": "2026-11-12"}, headers=headers
        )
        rows = r.json()["rows"]
        assert len(rows) == 24
        busy = {x["hour"]: (x["received"], x["sent"]) for x in rows if x["received"] or x["sent"]}
        assert busy == {10: (2, 0), 12: (0, 1), 1: (1, 0), 23: (1, 0), 2: (1, 0)}
        r = await client.get(
            "/api/reports/hours",
            params={"from": "2026-11-10", "to": "2026-11-12", "tz": "America/Sao_Paulo"},
            headers=headers,
        )
        busy = {x["hour"]: x["received"] for x in r.json()["rows"] if x["received"]}
        assert busy == {7: 2, 22: 1, 20: 1, 23: 1}

    async def test_top_senders(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        params = {"from": "2026-11-10", "to": "2026-11-12", "limit": "2"}
        r = await client.get("/api/reports/senders", params=params, headers=headers)
        assert r.json()["rows"] == [
            {"sender_phone": "5511999990001", "messages": 2},
            {"sender_phone": "5511999990003", "messages": 2},
        ]

    @pytest.mark.parametrize(
        ("first", "last", "expected"),
        [
            # 22:00 and 23:00 UTC-3 are the next UTC day: counted on their local day.
            (
                "2026-11-10",
                "2026-11-11",
                {"5511999990001": 2, "5511999990003": 2, "5511999990002": 1},
            ),
            ("2026-11-10", "2026-11-10", {"5511999990001": 2, "5511999990002": 1}),
            ("2026-11-11", "2026-11-11", {"5511999990003": 2}),
            # The UTC day 11-12 has a message at 02:00: the 11th's in São Paulo.
            ("2026-11-12", "2026-11-12", {}),
        ],
    )
    async def test_top_senders_count_the_days_of_the_report_s_zone(
        self,
        client: httpx.AsyncClient,
        headers: dict[str, str],
        ids: dict[str, int],
        first: str,
        last: str,
        expected: dict[str, int],
    ) -> None:
        params = {"from": first, "to": last, "tz": "America/Sao_Paulo"}
        r = await client.get("/api/reports/senders", params=params, headers=headers)
        assert r.status_code == 200
        assert {x["sender_phone"]: x["messages"] for x in r.json()["rows"]} == expected
        scoped = await client.get(
            "/api/reports/senders", params={**params, "instance_id": ids["b"]}, headers=headers
        )
        assert {x["sender_phone"]: x["messages"] for x in scoped.json()["rows"]} == {
            k: v for k, v in expected.items() if k == "5511999990003"
        }

    async def test_uptime(
        self,
        client: httpx.AsyncClient,
        headers: dict[str, str],
        ids: dict[str, int],
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        params = {"from": "2026-11-10", "to": "2026-11-10"}
        r = await client.get("/api/reports/uptime", params=params, headers=headers)
        rows = {x["instance_id"]: x for x in r.json()["rows"]}
        # Open until 06:00, closed until 12:00, open until midnight: 18 h of 24.
        assert rows[ids["a"]]["open_seconds"] == 18 * 3600
        assert rows[ids["a"]]["observed_seconds"] == 24 * 3600
        assert rows[ids["a"]]["uptime_percent"] == 75.0
        assert rows[ids["b"]]["observed_seconds"] == 0
        assert rows[ids["b"]]["uptime_percent"] is None
        # The finished day was kept, and is read back the same, for one instance too.
        async with db() as s:
            kept = (await s.execute(select(UptimeDaily.instance_id))).scalars().all()
        assert sorted(kept) == [0, ids["a"]]
        again = await client.get(
            "/api/reports/uptime", params={**params, "instance_id": ids["a"]}, headers=headers
        )
        assert again.json()["rows"] == [rows[ids["a"]]]

    async def test_jobs_with_csv_decimal_comma(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        params = {"from": "2026-11-10", "to": "2026-11-10"}
        r = await client.get("/api/reports/jobs", params=params, headers=headers)
        assert r.json()["rows"] == [
            {
                "day": "2026-11-10",
                "total": 3,
                "succeeded": 2,
                "failed": 1,
                "cancelled": 0,
                "success_rate": 66.67,
                "mean_duration_ms": 3000.0,
            }
        ]
        r = await client.get(
            "/api/reports/jobs", params={**params, "format": "csv", "sep": ";"}, headers=headers
        )
        row = parse_csv(r, ";")[0]
        assert row["success_rate"] == "66,67" and row["mean_duration_ms"] == "3000,0"


class TestPeriodValidation:
    @pytest.mark.parametrize(
        "params",
        [
            {"from": "2026-11-12", "to": "2026-11-10"},
            {"from": "2024-01-01", "to": "2026-11-10"},
            {"tz": "Mars/Olympus"},
            {"from": "1999-12-31", "to": "2000-01-01"},
        ],
    )
    async def test_refused(
        self, client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, str]
    ) -> None:
        r = await client.get("/api/reports/messages", params=params, headers=headers)
        assert r.status_code == 422
        assert r.json()["errors"]

    async def test_needs_login(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/api/reports/jobs")).status_code == 401
