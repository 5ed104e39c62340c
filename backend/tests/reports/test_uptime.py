"""Rolling uptime (24 h, 7 d, 30 d) against a hand-computed history.

Now is 2026-11-20 12:00 UTC (a fake clock), so the windows start at 2026-11-19 12:00
(24 h), 2026-11-13 12:00 (7 d) and 2026-10-21 12:00 (30 d).

* ``a``: open since 2026-10-10 (before every window: its last event before a window
  decides the state at the window's start); closed 2026-11-14 12:00 → 14:00 (a disconnect
  reconnected after 2 h); its server unreachable 2026-11-19 00:00 → 06:00 (a gap: unknown,
  and open again after it is no disconnect); connecting at 2026-11-20 06:00 then close at
  07:00 (one disconnect, not reconnected yet).
* ``b``: created inside the 7-day window (2026-11-18 12:00), unknown until its first
  event (connecting at 18:00), open at 18:30, deleted 2026-11-20 00:00 with its history.
* ``c``: deleted 2026-10-01, before every window.
* ``d``: live, never an event: unknown throughout.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.reports import uptime
from evodash.reports.uptime import Segment, figures, segments
from evodash.servers.models import EvolutionServer
from evodash.teams.models import Team, TeamInstance, TeamMember
from tests.factories import UserFactory

AsUser = Callable[[Any], Awaitable[dict[str, str]]]
H = 3600


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


NOW = at("2026-11-20 12:00")

HISTORY = {
    "a": [
        ("open", "2026-10-10 00:00"),
        ("close", "2026-11-14 12:00"),
        ("open", "2026-11-14 14:00"),
        ("unreachable", "2026-11-19 00:00"),
        ("open", "2026-11-19 06:00"),
        ("connecting", "2026-11-20 06:00"),
        ("close", "2026-11-20 07:00"),
    ],
    "b": [("connecting", "2026-11-18 18:00"), ("open", "2026-11-18 18:30")],
    "c": [("open", "2026-09-02 00:00")],
    "d": [],
}
CREATED = {
    "a": "2026-10-01 00:00",
    "b": "2026-11-18 12:00",
    "c": "2026-09-01 00:00",
    "d": "2026-11-01 00:00",
}
DELETED = {"b": "2026-11-20 00:00", "c": "2026-10-01 00:00"}


async def seed(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with db() as s:
        server = EvolutionServer(
            name="s1", base_url="http://evo1", api_key_encrypted="x", api_key_last4="abcd"
        )
        s.add(server)
        await s.flush()
        rows = {
            key: EvolutionInstance(
                server_id=server.id,
                display_name=f"Loja {key.upper()}",
                name=f"loja-{key}",
                status=(HISTORY[key][-1][0] if HISTORY[key] else "created"),
                created_at=at(CREATED[key]),
                deleted_at=at(DELETED[key]) if key in DELETED else None,
            )
            for key in HISTORY
        }
        s.add_all(rows.values())
        await s.flush()
        for key, events in HISTORY.items():
            previous = None
            for state, when in events:
                s.add(
                    ConnectionEvent(
                        instance_id=rows[key].id,
                        state=state,
                        previous_state=previous,
                        source="webhook",
                        at=at(when),
                    )
                )
                previous = state
        await s.commit()
        return {key: row.id for key, row in rows.items()}


@pytest.fixture
async def ids(
    db: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    monkeypatch.setattr(uptime, "utcnow", lambda: NOW)
    return await seed(db)


@pytest.fixture
async def headers(users: UserFactory, as_user: AsUser) -> dict[str, str]:
    return await as_user(await users.viewer())


def window(
    name: str,
    *,
    open_h: float,
    observed_h: float,
    unknown_h: float,
    percent: float | None,
    disconnects: int = 0,
    reconnect_s: list[float] | None = None,
) -> dict[str, Any]:
    spans = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
    reconnects = reconnect_s or []
    return {
        "window": name,
        "start": (NOW - spans[name]).isoformat().replace("+00:00", "Z"),
        "end": NOW.isoformat().replace("+00:00", "Z"),
        "uptime_percent": percent,
        "open_seconds": round(open_h * H),
        "observed_seconds": round(observed_h * H),
        "unknown_seconds": round(unknown_h * H),
        "disconnects": disconnects,
        "reconnects": len(reconnects),
        "mean_reconnect_seconds": sum(reconnects) / len(reconnects) if reconnects else None,
    }


A_WINDOWS = [
    # open 12:00 → 06:00 (18 h), connecting 1 h, close 5 h.
    window("24h", open_h=18, observed_h=24, unknown_h=0, percent=75.0, disconnects=1),
    # open 24 + 106 + 24 h; closed 2 + 6 h; unreachable 6 h: 154 / 162.
    window(
        "7d",
        open_h=154,
        observed_h=162,
        unknown_h=6,
        percent=95.06,
        disconnects=2,
        reconnect_s=[2 * H],
    ),
    # 24 more days open before the 7 days: 706 / 714.
    window(
        "30d",
        open_h=706,
        observed_h=714,
        unknown_h=6,
        percent=98.88,
        disconnects=2,
        reconnect_s=[2 * H],
    ),
]
B_WINDOWS = [
    # open from the window's start to the deletion (00:00): 12 h.
    window("24h", open_h=12, observed_h=12, unknown_h=0, percent=100.0),
    # from its creation: unknown 6 h, connecting 0.5 h, open 29.5 h.
    window("7d", open_h=29.5, observed_h=30, unknown_h=6, percent=98.33),
    window("30d", open_h=29.5, observed_h=30, unknown_h=6, percent=98.33),
]


class TestTimeline:
    def test_segments_merge_clip_and_keep_the_later_of_equal_times(self) -> None:
        start, stop = at("2026-11-20 00:00"), at("2026-11-20 10:00")
        got = segments(
            "close",
            [
                ("open", at("2026-11-20 01:00")),
                ("open", at("2026-11-20 02:00")),  # a repeat: merged
                ("close", at("2026-11-20 03:00")),
                ("open", at("2026-11-20 03:00")),  # same instant: the later row wins
                ("close", at("2026-11-20 12:00")),  # after the stop (a deletion): ignored
            ],
            start,
            stop,
        )
        assert got == [
            Segment("close", start, at("2026-11-20 01:00")),
            Segment("open", at("2026-11-20 01:00"), stop),
        ]

    def test_unknown_start_and_disconnect_across_a_gap(self) -> None:
        t = [
            Segment("unknown", at("2026-11-20 00:00"), at("2026-11-20 01:00")),
            Segment("close", at("2026-11-20 01:00"), at("2026-11-20 02:00")),  # no disconnect
            Segment("open", at("2026-11-20 02:00"), at("2026-11-20 03:00")),
            Segment("unreachable", at("2026-11-20 03:00"), at("2026-11-20 04:00")),
            Segment("close", at("2026-11-20 04:00"), at("2026-11-20 05:00")),  # a disconnect
            Segment("open", at("2026-11-20 05:00"), at("2026-11-20 06:00")),
        ]
        f = figures(t, at("2026-11-20 00:00"), at("2026-11-20 06:00"))
        assert (f.open_seconds, f.observed_seconds, f.unknown_seconds) == (2 * H, 4 * H, 2 * H)
        assert f.disconnects == 1
        assert (f.reconnects, f.reconnect_seconds) == (1, H)
        # A window that starts after the disconnect counts neither it nor its reconnect.
        late = figures(t, at("2026-11-20 04:30"), at("2026-11-20 06:00"))
        assert (late.disconnects, late.reconnects) == (0, 0)
        assert late.uptime_percent == 66.67


class TestInstanceUptime:
    async def test_figures_and_timeline(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        r = await client.get(f"/api/instances/{ids['a']}/uptime", headers=headers)
        assert r.status_code == 200
        body = r.json()
        assert body["windows"] == A_WINDOWS
        assert body["timeline_window"] == "7d"
        assert body["segments_truncated"] is False
        assert [(s["state"], s["start"][:16], s["end"][:16]) for s in body["segments"]] == [
            ("open", "2026-11-13T12:00", "2026-11-14T12:00"),
            ("close", "2026-11-14T12:00", "2026-11-14T14:00"),
            ("open", "2026-11-14T14:00", "2026-11-19T00:00"),
            ("unreachable", "2026-11-19T00:00", "2026-11-19T06:00"),
            ("open", "2026-11-19T06:00", "2026-11-20T06:00"),
            ("connecting", "2026-11-20T06:00", "2026-11-20T07:00"),
            ("close", "2026-11-20T07:00", "2026-11-20T12:00"),
        ]

    async def test_created_inside_the_window_then_deleted(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        r = await client.get(
            f"/api/instances/{ids['b']}/uptime", params={"window": "24h"}, headers=headers
        )
        body = r.json()
        assert body["windows"] == B_WINDOWS
        assert [(s["state"], s["start"][:16], s["end"][:16]) for s in body["segments"]] == [
            ("open", "2026-11-19T12:00", "2026-11-20T00:00"),
        ]
        week = await client.get(f"/api/instances/{ids['b']}/uptime", headers=headers)
        assert [s["state"] for s in week.json()["segments"]] == ["unknown", "connecting", "open"]

    async def test_deleted_before_the_windows_and_never_observed(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        gone = (await client.get(f"/api/instances/{ids['c']}/uptime", headers=headers)).json()
        assert gone["segments"] == []
        assert [w["uptime_percent"] for w in gone["windows"]] == [None, None, None]
        assert [w["observed_seconds"] + w["unknown_seconds"] for w in gone["windows"]] == [0] * 3
        never = (await client.get(f"/api/instances/{ids['d']}/uptime", headers=headers)).json()
        assert [w["uptime_percent"] for w in never["windows"]] == [None, None, None]
        assert never["windows"][0]["unknown_seconds"] == 24 * H

    async def test_bad_input(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        base = f"/api/instances/{ids['a']}/uptime"
        assert (await client.get(base, params={"window": "1y"}, headers=headers)).status_code == 422
        missing = await client.get("/api/instances/999999/uptime", headers=headers)
        assert missing.status_code == 404
        assert (await client.get(base)).status_code == 401


class TestInstancesUptime:
    async def test_list_in_one_call(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        params = [("instance_id", ids[k]) for k in ("b", "a")] + [("instance_id", 999999)]
        r = await client.get("/api/instances/uptime", params=params, headers=headers)
        assert r.status_code == 200
        assert r.json() == [
            {"instance_id": ids["a"], "windows": A_WINDOWS},
            {"instance_id": ids["b"], "windows": B_WINDOWS},
        ]

    async def test_bounds(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        r = await client.get("/api/instances/uptime", headers=headers)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"].endswith("instance_id")
        many = [("instance_id", n) for n in range(1, 202)]
        too_many = await client.get("/api/instances/uptime", params=many, headers=headers)
        assert too_many.status_code == 422


class TestFleetUptime:
    async def test_time_weighted_and_worst(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        r = await client.get("/api/instances/uptime/fleet", headers=headers)
        assert r.status_code == 200
        body = r.json()
        assert body["instances"] == 2  # a and d are live
        # a + b (alive until its deletion); c is out of every window, d unobserved.
        assert body["windows"] == [
            window("24h", open_h=30, observed_h=36, unknown_h=24, percent=83.33, disconnects=1),
            window(
                "7d",
                open_h=183.5,
                observed_h=192,
                unknown_h=6 + 6 + 24 * 7,
                percent=95.57,
                disconnects=2,
                reconnect_s=[2 * H],
            ),
            window(
                "30d",
                open_h=735.5,
                observed_h=744,
                unknown_h=6 + 6 + 19 * 24 + 12,
                percent=98.86,
                disconnects=2,
                reconnect_s=[2 * H],
            ),
        ]
        assert body["worst_window"] == "7d"
        assert body["worst"] == [
            {
                "instance_id": ids["a"],
                "display_name": "Loja A",
                "status": "close",
                "uptime_percent": 95.06,
                "disconnects": 2,
            }
        ]
        fleet = "/api/instances/uptime/fleet"
        one = await client.get(fleet, params={"worst": 1}, headers=headers)
        assert len(one.json()["worst"]) == 1
        bad = await client.get(fleet, params={"worst": 101}, headers=headers)
        assert bad.status_code == 422


class TestDailyReportAgrees:
    async def test_unreachable_is_unknown_in_the_daily_report(
        self, client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, int]
    ) -> None:
        params = {"from": "2026-11-19", "to": "2026-11-19", "instance_id": ids["a"]}
        r = await client.get("/api/reports/uptime", params=params, headers=headers)
        [row] = r.json()["rows"]
        # Unreachable 00:00 → 06:00 (unknown), open the other 18 h.
        assert (row["open_seconds"], row["observed_seconds"]) == (18 * H, 18 * H)
        assert row["uptime_percent"] == 100.0


class TestScope:
    async def test_a_team_member_sees_only_the_teams_instances(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        db: async_sessionmaker[AsyncSession],
        ids: dict[str, int],
    ) -> None:
        member = await users.operator(username="ana-a")
        async with db() as s:
            team = Team(name="Equipe A")
            s.add(team)
            await s.flush()
            s.add_all(
                [
                    TeamInstance(team_id=team.id, instance_id=ids["a"]),
                    TeamMember(team_id=team.id, user_id=member.id),
                ]
            )
            await s.commit()
        headers = await as_user(member)
        params = [("instance_id", ids[k]) for k in ("a", "b", "d")]
        listed = await client.get("/api/instances/uptime", params=params, headers=headers)
        assert [x["instance_id"] for x in listed.json()] == [ids["a"]]
        fleet = (await client.get("/api/instances/uptime/fleet", headers=headers)).json()
        assert fleet["instances"] == 1
        assert fleet["windows"] == A_WINDOWS
        assert [w["instance_id"] for w in fleet["worst"]] == [ids["a"]]
        hidden = await client.get(f"/api/instances/{ids['d']}/uptime", headers=headers)
        assert hidden.status_code == 404
