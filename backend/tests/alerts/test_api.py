"""``/api/alerts``: history with filters and pages, roles, rules, channels' validation."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.alerts.models import Alert, AlertState
from evodash.alerts.schemas import AlertRead
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.instances.models import InstanceStatus
from evodash.realtime.events import AlertFiredEvent
from evodash.realtime.router import in_scope
from evodash.teams.models import Team, TeamInstance, TeamMember
from evodash.teams.scope import Scope
from tests.alerts.support import instance
from tests.factories import UserFactory
from tests.instances.helpers import HeadersFor


async def history(db: async_sessionmaker[AsyncSession]) -> list[Alert]:
    now = utcnow()
    rows = [
        Alert(
            rule="down" if n % 2 else "flapping",
            subject_type="instance",
            subject_id=n % 3 + 1,
            subject_key=f"instance:{n % 3 + 1}",
            subject_label=f"Loja {n % 3 + 1}",
            state=AlertState.resolved.value,
            started_at=now - timedelta(hours=n),
            fired_at=now - timedelta(hours=n),
            resolved_at=now - timedelta(hours=n) + timedelta(minutes=5),
        )
        for n in range(1, 8)
    ]
    rows.append(
        Alert(
            rule="zombie",
            subject_type="instance",
            subject_id=9,
            subject_key="instance:9",
            subject_label="Loja 9",
            state=AlertState.firing.value,
            started_at=now,
            fired_at=now,
        )
    )
    rows.append(  # pending: not an alert yet, never listed
        Alert(
            rule="down",
            subject_type="instance",
            subject_id=10,
            subject_key="instance:10",
            subject_label="Loja 10",
            state=AlertState.pending.value,
            started_at=now,
        )
    )
    async with db() as session:
        session.add_all(rows)
        await session.commit()
    return rows


class TestList:
    async def test_filters_and_pages(
        self,
        db: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: HeadersFor,
    ) -> None:
        rows = await history(db)
        headers = await as_user(await users.viewer())
        page = (await client.get("/api/alerts?page_size=3", headers=headers)).json()
        assert page["total"] == 8 and len(page["items"]) == 3
        assert page["items"][0]["rule"] == "zombie"  # newest first
        second = (await client.get("/api/alerts?page_size=3&page=3", headers=headers)).json()
        assert len(second["items"]) == 2

        def ids(query: str) -> list[int]:
            return [a["id"] for a in answers[query]["items"]]

        answers = {}
        for query in (
            "rule=down",
            "state=firing",
            "subject=instance:2",
            "rule=down&subject=instance:2",
            "unacknowledged=true&state=firing",
        ):
            answer = await client.get(f"/api/alerts?{query}", headers=headers)
            assert answer.status_code == 200, answer.text
            answers[query] = answer.json()
        assert len(ids("rule=down")) == 4
        assert ids("state=firing") == [rows[7].id]
        assert all(a["subject_key"] == "instance:2" for a in answers["subject=instance:2"]["items"])
        assert ids("rule=down&subject=instance:2") == [rows[0].id, rows[6].id]
        since = (utcnow() - timedelta(hours=2, minutes=30)).isoformat().replace("+00:00", "Z")
        recent = await client.get("/api/alerts", params={"since": since}, headers=headers)
        assert [a["id"] for a in recent.json()["items"]] == [rows[7].id, rows[0].id, rows[1].id]

    async def test_bad_filters_are_422(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: HeadersFor
    ) -> None:
        headers = await as_user(await users.viewer())
        for query in ("rule=nope", "state=gone", "subject=x", "page_size=1000", "since=yesterday"):
            answer = await client.get(f"/api/alerts?{query}", headers=headers)
            assert answer.status_code == 422, query
            assert answer.json()["error"] == "validation_error"

    async def test_detail_and_unknown(
        self,
        db: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: HeadersFor,
    ) -> None:
        rows = await history(db)
        headers = await as_user(await users.viewer())
        answer = await client.get(f"/api/alerts/{rows[7].id}", headers=headers)
        assert answer.status_code == 200
        assert answer.json()["deliveries"] == []
        assert (await client.get(f"/api/alerts/{rows[8].id}", headers=headers)).status_code == 404
        assert (await client.get("/api/alerts/999999", headers=headers)).status_code == 404


class TestAckAndSilence:
    async def test_roles_and_bounds(
        self,
        db: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: HeadersFor,
    ) -> None:
        rows = await history(db)
        firing = rows[7].id
        viewer = await as_user(await users.viewer())
        operator = await as_user(await users.operator())
        assert (await client.post(f"/api/alerts/{firing}/ack", headers=viewer)).status_code == 403
        for minutes in (0, 10081, "5", 1.5, True):
            answer = await client.post(
                f"/api/alerts/{firing}/silence", headers=operator, json={"minutes": minutes}
            )
            assert answer.status_code == 422, minutes
        answer = await client.post(
            f"/api/alerts/{firing}/silence", headers=operator, json={"minutes": 60}
        )
        assert answer.status_code == 200
        assert answer.json()["silenced_until"] is not None
        resolved = rows[0].id
        answer = await client.post(
            f"/api/alerts/{resolved}/silence", headers=operator, json={"minutes": 60}
        )
        assert answer.status_code == 409


class TestRules:
    async def test_defaults_from_the_settings_and_admin_changes(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: HeadersFor
    ) -> None:
        admin = await as_user(await users.admin())
        operator = await as_user(await users.operator())
        rules = {
            r["kind"]: r for r in (await client.get("/api/alerts/rules", headers=operator)).json()
        }
        assert set(rules) == {
            "down",
            "connecting",
            "zombie",
            "flapping",
            "server_unreachable",
            "forward_failing",
            "jobs_failing",
            "backup_failed",
        }
        assert rules["down"]["params"] == {"threshold_seconds": 300}
        assert rules["zombie"]["params"] == {"threshold_seconds": 1800}
        assert rules["connecting"]["params"] == {"threshold_seconds": 600}

        change = {"enabled": False, "threshold_seconds": 5}
        forbidden = await client.patch("/api/alerts/rules/down", headers=operator, json=change)
        assert forbidden.status_code == 403
        answer = await client.patch("/api/alerts/rules/down", headers=admin, json=change)
        assert answer.status_code == 200, answer.text
        assert answer.json()["params"] == {"threshold_seconds": 5}
        assert answer.json()["enabled"] is False and answer.json()["customized"] is True

        for bad in ({"threshold_seconds": 0}, {"threshold_seconds": "5"}, {"enabled": 1}, {"x": 1}):
            answer = await client.patch("/api/alerts/rules/down", headers=admin, json=bad)
            assert answer.status_code == 422, bad
        foreign = await client.patch(
            "/api/alerts/rules/down", headers=admin, json={"transitions": 5}
        )
        assert foreign.status_code == 422
        assert foreign.json()["error"] == "alert_rule_params_refused"

        reset = await client.delete("/api/alerts/rules/down", headers=admin)
        assert reset.json()["params"] == {"threshold_seconds": 300}
        assert reset.json()["customized"] is False


class TestChannels:
    async def test_validation(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: HeadersFor
    ) -> None:
        admin = await as_user(await users.admin())
        operator = await as_user(await users.operator())
        hook = {
            "name": "Slack",
            "config": {"kind": "webhook", "url": "https://hooks.example.com/x", "format": "slack"},
        }
        assert (
            await client.post("/api/alerts/channels", headers=operator, json=hook)
        ).status_code == 403
        created = await client.post("/api/alerts/channels", headers=admin, json=hook)
        assert created.status_code == 201, created.text
        again = await client.post("/api/alerts/channels", headers=admin, json=hook)
        assert again.status_code == 409
        bad_bodies = [
            {"name": "x", "config": {"kind": "webhook", "url": "http://user:pw@example.com/"}},
            {"name": "x", "config": {"kind": "webhook", "url": "http://127.0.0.1:9/hook"}},
            {"name": "x", "config": {"kind": "webhook", "url": "ftp://example.com"}},
            {
                "name": "x",
                "config": {"kind": "whatsapp", "instance_id": 999, "numbers": ["5511987654321"]},
            },
            {"name": "x", "config": {"kind": "whatsapp", "instance_id": 1, "numbers": []}},
            {
                "name": "x",
                "config": {"kind": "email", "host": "smtp", "sender": "no", "to": ["a@b.co"]},
            },
            {
                "name": "x",
                "config": {
                    "kind": "email",
                    "host": "smtp",
                    "sender": "a@b.co",
                    "to": ["a@b.co"] * 21,
                },
            },
            {"name": "x", "config": {"kind": "webhook", "url": "https://e.com"}, "password": "pw"},
            {"name": " ", "config": {"kind": "webhook", "url": "https://e.com"}},
            {"name": "x", "config": {"kind": "pager"}},
        ]
        for body in bad_bodies:
            answer = await client.post("/api/alerts/channels", headers=admin, json=body)
            assert answer.status_code == 422, (body, answer.text)
            assert "error" in answer.json()
        listed = (await client.get("/api/alerts/channels", headers=admin)).json()
        assert [c["name"] for c in listed] == ["Slack"]
        channel_id = created.json()["id"]
        kind_change = await client.patch(
            f"/api/alerts/channels/{channel_id}",
            headers=admin,
            json={
                "config": {"kind": "email", "host": "smtp", "sender": "a@b.co", "to": ["a@b.co"]}
            },
        )
        assert kind_change.status_code == 422
        deleted = await client.delete(f"/api/alerts/channels/{channel_id}", headers=admin)
        assert deleted.status_code == 204
        assert (await client.get("/api/alerts/channels", headers=admin)).json() == []


class TestTeams:
    async def test_a_team_member_sees_the_alerts_of_the_teams_instances_only(
        self,
        db: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: HeadersFor,
        settings: Settings,
    ) -> None:
        mine = await instance(db, settings, status=InstanceStatus.close)
        theirs = await instance(db, settings, status=InstanceStatus.close)
        member = await users.operator()
        async with db() as session:
            team = Team(name="Loja Norte")
            session.add(team)
            await session.flush()
            session.add_all(
                [
                    TeamMember(team_id=team.id, user_id=member.id),
                    TeamInstance(team_id=team.id, instance_id=mine.id),
                ]
            )
            rows = [
                Alert(
                    rule="down",
                    subject_type="instance",
                    subject_id=row.id,
                    subject_key=f"instance:{row.id}",
                    subject_label=row.name,
                    state=AlertState.firing.value,
                )
                for row in (mine, theirs)
            ]
            session.add_all(rows)
            await session.commit()
        headers = await as_user(member)
        listed = (await client.get("/api/alerts", headers=headers)).json()
        assert [a["subject_id"] for a in listed["items"]] == [mine.id]
        assert listed["items"][0]["instance_id"] == mine.id
        summary = (await client.get("/api/alerts/summary", headers=headers)).json()
        assert summary["firing"] == 1
        hidden = rows[1].id
        assert (await client.get(f"/api/alerts/{hidden}", headers=headers)).status_code == 404
        assert (await client.post(f"/api/alerts/{hidden}/ack", headers=headers)).status_code == 404
        admin = await as_user(await users.admin())
        assert (await client.get("/api/alerts", headers=admin)).json()["total"] == 2


def test_live_alert_events_reach_whom_the_alerts_api_shows_them() -> None:
    def alert(subject_type: str, subject_id: int | None) -> Alert:
        return Alert(
            id=1,
            rule="down",
            subject_type=subject_type,
            subject_id=subject_id,
            subject_key=f"{subject_type}:{subject_id or 'invoice'}",
            subject_label="x",
            state="firing",
            started_at=utcnow(),
            last_checked_at=utcnow(),
            notifications=1,
        )

    def live(row: Alert, scope: Scope) -> bool:
        event = AlertFiredEvent(data=AlertRead.model_validate(row)).model_dump(mode="json")
        return in_scope(event, scope)

    team = Scope(instance_ids=frozenset({5}), server_ids=frozenset({2}))
    cases = [
        (alert("instance", 5), team, True),
        (alert("instance", 6), team, False),
        (alert("server", 2), team, True),  # a server the team sees (as the list shows it)
        (alert("server", 3), team, False),
        (alert("jobs", None), team, False),  # fleet-wide: unlimited scopes only
        (alert("server", 3), Scope(), True),
        (alert("jobs", None), Scope(), True),
    ]
    for row, scope, seen in cases:
        # One decision: the live event's subject is the alert's, and both ask the scope.
        assert scope.sees(row.scope_subject) is seen, row.subject_key
        assert live(row, scope) is seen, row.subject_key
