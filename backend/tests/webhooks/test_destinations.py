"""Relay destinations: the API (roles, validation, secrets, the per-instance limit under
concurrent requests) and relaying through them (filters, secret header, per-destination
retries, removed or disabled destinations) to real receivers on loopback HTTP."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.destinations.models import ForwardDestination
from evodash.users.models import AuditLog
from evodash.webhooks.models import WebhookDelivery
from tests.live import serve
from tests.webhooks.support import ForwardJobs, InstanceFactory, post_event, text_message

Db = async_sessionmaker[AsyncSession]
SECRET = "n8n-s3cret-value-0123"


def _path(instance_id: int) -> str:
    return f"/api/instances/{instance_id}/destinations"


def connection_update(instance: str = "acme-support") -> dict[str, Any]:
    return {
        "event": "connection.update",
        "instance": instance,
        "data": {"instance": instance, "state": "open", "statusReason": 200},
        "date_time": "2026-12-02T10:00:00.000Z",
    }


class TestApi:
    async def test_crud_and_the_secret_never_comes_back(
        self,
        client: httpx.AsyncClient,
        db: Db,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
        viewer_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        body = {
            "name": "n8n",
            "url": "https://n8n.example.com/webhook/abc",
            "events": ["MESSAGES_UPDATE", "MESSAGES_UPSERT", "MESSAGES_UPSERT"],
            "secret_header_name": "X-Api-Key",
            "secret_header_value": SECRET,
            "max_attempts": 3,
            "retry_base_seconds": 10,
        }
        assert (
            await client.post(_path(hooked.id), json=body, headers=viewer_headers)
        ).status_code == 403
        created = await client.post(_path(hooked.id), json=body, headers=operator_headers)
        assert created.status_code == 201, created.text
        data = created.json()
        # Events once each, in the server's order; the secret is only "there is one".
        assert data["events"] == ["MESSAGES_UPSERT", "MESSAGES_UPDATE"]
        assert (data["secret_header_name"], data["has_secret"]) == ("X-Api-Key", True)
        assert (data["max_attempts"], data["retry_base_seconds"], data["enabled"]) == (3, 10, True)
        one = f"{_path(hooked.id)}/{data['id']}"
        renamed = await client.patch(one, json={"name": "n8n prod"}, headers=operator_headers)
        assert renamed.json()["has_secret"] is True  # kept when not sent
        answers = [
            created,
            renamed,
            await client.get(_path(hooked.id), headers=operator_headers),
            await client.get(_path(hooked.id), headers=viewer_headers),
            await client.get(one, headers=operator_headers),
        ]
        assert all(a.status_code == 200 or a.status_code == 201 for a in answers)
        assert not any(SECRET in a.text for a in answers)
        async with db() as session:
            row = await session.get(ForwardDestination, data["id"])
            audits = (await session.scalars(select(AuditLog))).all()
        assert row is not None and row.secret_header_value_encrypted
        assert SECRET not in row.secret_header_value_encrypted  # encrypted at rest
        assert audits and not any(SECRET in json.dumps(a.detail) for a in audits)

        cleared = await client.patch(
            one, json={"secret_header_name": None}, headers=operator_headers
        )
        assert (cleared.json()["secret_header_name"], cleared.json()["has_secret"]) == (
            None,
            False,
        )
        deleted = await client.delete(one, headers=operator_headers)
        assert deleted.status_code == 204
        assert (await client.get(one, headers=operator_headers)).status_code == 404
        other = await instances.create()
        # A destination is only reachable under its own instance.
        made = await client.post(_path(hooked.id), json=body, headers=operator_headers)
        foreign = f"{_path(other.id)}/{made.json()['id']}"
        assert (await client.get(foreign, headers=operator_headers)).status_code == 404

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"events": ["MESSAGES_UPSERT", "NOT_AN_EVENT"]}, "events.1"),
            (
                {"secret_header_name": "Content-Type", "secret_header_value": "x"},
                "secret_header_name",
            ),
            (
                {"secret_header_name": "X-Evodash-Event", "secret_header_value": "x"},
                "secret_header_name",
            ),
            ({"secret_header_name": "X-Key"}, None),  # a name needs its value
            (
                {"secret_header_name": "X-Key", "secret_header_value": "a\r\nHost: x"},
                "secret_header_value",
            ),
            ({"max_attempts": 0}, "max_attempts"),
            ({"max_attempts": 11}, "max_attempts"),
            ({"retry_base_seconds": 0.5}, "retry_base_seconds"),
            ({"retry_base_seconds": 301}, "retry_base_seconds"),
            ({"name": ""}, "name"),
            ({"url": "ftp://files.example.com"}, "url"),
            ({"events": ["MESSAGES_UPSERT"] * 32}, "events"),
        ],
    )
    async def test_bad_input_is_refused_clearly(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
        change: dict[str, Any],
        field: str | None,
    ) -> None:
        hooked = await instances.create()
        body = {"name": "crm", "url": "https://crm.example.com/in", **change}
        response = await client.post(_path(hooked.id), json=body, headers=operator_headers)
        assert response.status_code == 422, response.text
        answer = response.json()
        assert answer["error"] == "validation_error" and answer["detail"]
        if field is not None:
            assert field in {e["field"] for e in answer["errors"]}
        assert (await client.get(_path(hooked.id), headers=operator_headers)).json() == []

    async def test_names_are_unique_per_instance(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
    ) -> None:
        first, second = await instances.create(), await instances.create()
        body = {"name": "crm", "url": "https://crm.example.com/in"}
        assert (
            await client.post(_path(first.id), json=body, headers=operator_headers)
        ).status_code == 201
        taken = await client.post(_path(first.id), json=body, headers=operator_headers)
        assert (taken.status_code, taken.json()["error"]) == (409, "destination_name_taken")
        assert (
            await client.post(_path(second.id), json=body, headers=operator_headers)
        ).status_code == 201

    @pytest.mark.commits  # concurrent requests on connections of their own
    async def test_concurrent_creations_respect_the_limit(
        self,
        client: httpx.AsyncClient,
        db: Db,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()

        async def add(n: int) -> httpx.Response:
            body = {"name": f"dest-{n}", "url": f"https://d{n}.example.com/in"}
            return await client.post(_path(hooked.id), json=body, headers=operator_headers)

        answers = await asyncio.gather(*(add(n) for n in range(16)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [201] * 10 + [409] * 6, [a.text for a in answers]
        assert {a.json()["error"] for a in answers if a.status_code == 409} == {
            "too_many_destinations"
        }
        async with db() as session:
            rows = (await session.scalars(select(ForwardDestination))).all()
        assert len(rows) == 10


# --- relaying ------------------------------------------------------------------------------


@dataclass
class Receivers:
    """Several receivers on one server: ``/{name}`` answers the scripted statuses (then
    200) and records what it got."""

    url: str = ""
    statuses: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    received: dict[str, list[tuple[dict[str, str], Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{name}")
        async def hook(name: str, request: Request) -> JSONResponse:
            headers = {k.lower(): v for k, v in request.headers.items()}
            self.received[name].append((headers, json.loads(await request.body())))
            queue = self.statuses[name]
            status = queue.popleft() if queue else 200
            return JSONResponse({"ok": status < 300}, status_code=status)

        return app

    def events(self, name: str) -> list[str]:
        return [body["event"] for _, body in self.received[name]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The receivers run on loopback, which forwarding refuses by default (SSRF guard).
    return settings.model_copy(update={"forward_allow_private_networks": True})


@pytest.fixture
async def receivers() -> AsyncIterator[Receivers]:
    recv = Receivers()
    async with serve(recv.app()) as live:
        recv.url = live.url
        yield recv


async def _add(db: Db, instance_id: int, name: str, url: str, **fields: Any) -> int:
    async with db() as session:
        row = ForwardDestination(instance_id=instance_id, name=name, url=url, **fields)
        session.add(row)
        await session.commit()
        return row.id


async def _deliveries(db: Db) -> list[WebhookDelivery]:
    async with db() as session:
        stmt = select(WebhookDelivery).order_by(WebhookDelivery.id)
        return list((await session.scalars(stmt)).all())


@pytest.mark.commits  # the forwarder runs in the background, on its own sessions
class TestRelaying:
    async def test_each_event_goes_only_where_its_filter_takes_it(
        self,
        client: httpx.AsyncClient,
        db: Db,
        instances: InstanceFactory,
        receivers: Receivers,
        forwarding: ForwardJobs,
        operator_headers: dict[str, str],
        viewer_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create("acme-support")
        made = await client.post(
            _path(hooked.id),
            json={
                "name": "chatwoot",
                "url": f"{receivers.url}/chat",
                "events": ["MESSAGES_UPSERT"],
                "secret_header_name": "X-Api-Key",
                "secret_header_value": SECRET,
            },
            headers=operator_headers,
        )
        assert made.status_code == 201, made.text
        await _add(db, hooked.id, "crm", f"{receivers.url}/crm", events=["CONNECTION_UPDATE"])
        await _add(db, hooked.id, "all", f"{receivers.url}/all", events=[])
        await _add(db, hooked.id, "off", f"{receivers.url}/off", enabled=False)
        await post_event(client, hooked, text_message("M1"))
        await post_event(client, hooked, connection_update())
        assert await forwarding.drain()

        assert receivers.events("chat") == ["messages.upsert"]
        assert receivers.events("crm") == ["connection.update"]
        assert sorted(receivers.events("all")) == ["connection.update", "messages.upsert"]
        assert receivers.events("off") == []
        [(chat_headers, _)] = receivers.received["chat"]
        assert chat_headers["x-api-key"] == SECRET
        assert all("x-api-key" not in h for h, _ in receivers.received["crm"])
        listed = await client.get(
            "/api/webhooks/deliveries", params={"instance_id": hooked.id}, headers=viewer_headers
        )
        names = sorted(d["destination_name"] for d in listed.json()["items"])
        assert names == ["all", "all", "chatwoot", "crm"]
        assert SECRET not in listed.text
        only_crm = await client.get(
            "/api/webhooks/deliveries",
            params={"destination_id": made.json()["id"]},
            headers=viewer_headers,
        )
        assert [d["destination_name"] for d in only_crm.json()["items"]] == ["chatwoot"]

    async def test_each_destination_retries_by_its_own_policy(
        self,
        client: httpx.AsyncClient,
        db: Db,
        instances: InstanceFactory,
        receivers: Receivers,
        forwarding: ForwardJobs,
    ) -> None:
        hooked = await instances.create()
        once = await _add(db, hooked.id, "once", f"{receivers.url}/once", max_attempts=1)
        thrice = await _add(
            db,
            hooked.id,
            "thrice",
            f"{receivers.url}/thrice",
            max_attempts=3,
            retry_base_seconds=40.0,
        )
        receivers.statuses["once"].extend([500] * 5)
        receivers.statuses["thrice"].extend([500] * 5)
        await post_event(client, hooked, text_message("R1"))
        assert await forwarding.drain()

        attempts = await _deliveries(db)
        by = {d: [a for a in attempts if a.destination_id == d] for d in (once, thrice)}
        assert [(a.attempt, a.status) for a in by[once]] == [(1, "failed")]
        assert by[once][0].next_retry_at is None
        assert [(a.attempt, a.status) for a in by[thrice]] == [
            (1, "failed"),
            (2, "failed"),
            (3, "failed"),
        ]
        assert len(receivers.received["once"]) == 1 and len(receivers.received["thrice"]) == 3
        # The first retry was given the destination's base (40 s ± 20 % jitter); the fake
        # clock of the test made it due at once.
        first = by[thrice][0]
        assert first.next_retry_at is not None
        wait = (first.next_retry_at - first.created_at).total_seconds()
        assert 31 <= wait <= 49, wait

    async def test_removed_or_disabled_destinations_get_nothing(
        self,
        client: httpx.AsyncClient,
        db: Db,
        instances: InstanceFactory,
        receivers: Receivers,
        operator_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        gone = await _add(db, hooked.id, "gone", f"{receivers.url}/gone")
        paused = await _add(db, hooked.id, "paused", f"{receivers.url}/paused")
        # No worker yet: the attempts wait in the queue while the destinations change.
        await post_event(client, hooked, text_message("G1"))
        assert (
            await client.delete(f"{_path(hooked.id)}/{gone}", headers=operator_headers)
        ).status_code == 204
        off = await client.patch(
            f"{_path(hooked.id)}/{paused}", json={"enabled": False}, headers=operator_headers
        )
        assert off.json()["enabled"] is False
        app = client._transport.app  # type: ignore[attr-defined]
        jobs = ForwardJobs(app)
        await jobs.worker.start()
        try:
            assert await jobs.drain()
        finally:
            await jobs.worker.stop(grace=5)
        attempts = await _deliveries(db)
        assert sorted((a.status, a.error) for a in attempts) == [
            ("failed", "not sent: its destination is disabled"),
            ("failed", "not sent: its destination was removed"),
        ]
        assert receivers.received == {}
        for attempt in attempts:
            retry = await client.post(
                f"/api/webhooks/deliveries/{attempt.id}/retry", headers=operator_headers
            )
            assert retry.status_code == 409

    async def test_a_test_send_reaches_the_destination_with_its_header(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        receivers: Receivers,
        operator_headers: dict[str, str],
        viewer_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        made = await client.post(
            _path(hooked.id),
            json={
                "name": "crm",
                "url": f"{receivers.url}/crm",
                "secret_header_name": "Authorization",
                "secret_header_value": f"Bearer {SECRET}",
            },
            headers=operator_headers,
        )
        test = f"{_path(hooked.id)}/{made.json()['id']}/test"
        assert (await client.post(test, headers=viewer_headers)).status_code == 403
        receivers.statuses["crm"].append(503)
        failed = (await client.post(test, headers=operator_headers)).json()
        assert (failed["ok"], failed["http_status"], failed["error"]) == (False, 503, "HTTP 503")
        ok = (await client.post(test, headers=operator_headers)).json()
        assert (ok["ok"], ok["http_status"]) == (True, 200)
        headers, body = receivers.received["crm"][-1]
        assert body["event"] == "evodash.test"
        assert headers["authorization"] == f"Bearer {SECRET}"
