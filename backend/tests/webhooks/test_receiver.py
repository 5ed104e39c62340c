"""The receiver endpoint: authentication, bad bodies, the inbox, failures and replay."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from fastapi.dependencies import utils as fastapi_dependencies
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.routing import Match

from evodash.core.config import Settings
from evodash.evolution.webhooks import ConnectionUpdate
from evodash.instances.models import EvolutionInstance
from evodash.instances.webhook_secret import seal
from evodash.webhooks import SECRET_HEADER, handlers
from evodash.webhooks import receiver as receiver_module
from tests import loopback
from tests.conftest import TEST_SECRET, AppRunner
from tests.fixtures import load_evolution_json
from tests.webhooks.support import (
    InstanceFactory,
    applied_status,
    events,
    messages,
    post_event,
    text_message,
)


class TestAuthentication:
    async def test_right_secret_is_accepted(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create("acme-support")
        response = await post_event(client, hooked, text_message("ID1"))
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "received"
        assert await applied_status(db, response) == "processed"

    @pytest.mark.parametrize("secret", ["", "wrong", "whs_secret_but_not_this_one"])
    async def test_wrong_or_missing_secret_is_401(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        secret: str,
    ) -> None:
        hooked = await instances.create()
        response = await post_event(client, hooked, text_message("ID1"), secret=secret)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_webhook_secret"
        assert await events(db) == [] and await messages(db) == []

    async def test_no_header_at_all_is_401(
        self, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        hooked = await instances.create()
        response = await client.post(hooked.url, json=text_message("ID1"))
        assert response.status_code == 401

    async def test_secret_of_another_instance_is_401(
        self, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        first, second = await instances.create(), await instances.create()
        response = await post_event(client, first, text_message("ID1"), secret=second.secret)
        assert response.status_code == 401

    async def test_unknown_instance_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/webhooks/evolution/999999", json={}, headers={SECRET_HEADER: "x"}
        )
        assert response.status_code == 401

    async def test_a_secret_once_accepted_skips_the_hmac_until_the_cache_reloads(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        hooked = await instances.create()
        hmacs: list[str] = []
        real_digest = receiver_module.digest

        def counting_digest(secret: str, app_secret: str) -> str:
            hmacs.append(secret)
            return real_digest(secret, app_secret)

        monkeypatch.setattr(receiver_module, "digest", counting_digest)
        for n in range(3):
            response = await post_event(client, hooked, text_message(f"CACHED{n}"))
            assert response.status_code == 200
        assert hmacs == [hooked.secret]  # the first post only
        # Anything else is still checked, and refused.
        for wrong in ("wrong", hooked.secret + "x", hooked.secret[:-1]):
            response = await post_event(client, hooked, text_message("W"), secret=wrong)
            assert response.status_code == 401
        assert hmacs == [hooked.secret, "wrong", hooked.secret + "x", hooked.secret[:-1]]
        # A new secret (as "rotate" stores it): the old one is refused once the cache
        # reloads, however often it was accepted before.
        async with db() as session:
            instance = await session.get(EvolutionInstance, hooked.id)
            assert instance is not None
            new_secret = "whs_rotated_0123456789abcdef"
            seal(instance, new_secret, TEST_SECRET)
            await session.commit()
        receiver = app.state.webhook_tasks.receiver
        # The cached digest runs out (as it does SECRET_CACHE_SECONDS after its reading).
        cached = receiver.secrets._known[hooked.id]
        receiver.secrets._known[hooked.id] = dataclasses.replace(cached, until=0.0)
        response = await post_event(client, hooked, text_message("OLD"))
        assert response.status_code == 401
        assert receiver.secrets.knows(hooked.id)
        rotated = dataclasses.replace(hooked, secret=new_secret)
        assert (await post_event(client, rotated, text_message("NEW"))).status_code == 200

    async def test_401_is_logged_without_the_body(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        hooked = await instances.create()
        body = text_message("ID1", text_body="TOP-SECRET-CONTENT")
        with caplog.at_level(logging.INFO):
            response = await post_event(client, hooked, body, secret="nope")
        assert response.status_code == 401
        logged = "\n".join(str(r.msg) + str(getattr(r, "args", "")) for r in caplog.records)
        assert "webhook.unauthorized" in logged
        assert "TOP-SECRET-CONTENT" not in logged
        assert "nope" not in logged


class TestEventLoop:
    async def test_receiver_dependencies_stay_on_the_event_loop(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A plain ``def`` dependency runs in FastAPI's thread pool: a hop to a worker
        thread and back on every webhook, which the ingest benchmark pays for."""
        offloaded: list[str] = []
        real = fastapi_dependencies.run_in_threadpool

        async def spy(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            offloaded.append(f"{func.__module__}.{func.__qualname__}")
            return await real(func, *args, **kwargs)

        monkeypatch.setattr(fastapi_dependencies, "run_in_threadpool", spy)
        hooked = await instances.create()
        response = await post_event(client, hooked, text_message("ID1"))
        assert response.status_code == 200, response.text
        assert offloaded == []

    @pytest.mark.parametrize("path", ["/api/webhooks/evolution/1", "/api/webhooks/evolution/1/x"])
    def test_the_receiver_is_matched_first_without_walking_the_api(
        self, app: FastAPI, path: str
    ) -> None:
        """FastAPI walks every route beneath an included router to match it, on every
        request: the receiver's router is matched before any other /api route, and holds
        nothing else of the API (under one router of the whole API, each webhook paid for
        walking its 200 routes)."""

        def first_match(method: str, url: str) -> int:
            scope = {"type": "http", "method": method, "path": url, "root_path": ""}
            routes = app.router.routes
            return next(i for i, r in enumerate(routes) if r.matches(scope)[0] is Match.FULL)

        receiver = first_match("POST", path)
        others = [
            ("GET", "/api/instances"),
            ("POST", "/api/auth/token"),
            ("GET", "/api/webhooks/events"),
            ("GET", "/api/stats/overview"),
        ]
        assert all(first_match(method, url) > receiver for method, url in others)


class TestBadBodies:
    @pytest.mark.parametrize(
        ("content", "reason"),
        [
            (b"", "empty"),
            (b"{not json", "line 1 column 2"),
            (b'{"event": "messages.upsert",', "line 1"),
            (b"\xff\xfe", "UTF-8"),
        ],
    )
    async def test_malformed_json_is_400(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        content: bytes,
        reason: str,
    ) -> None:
        hooked = await instances.create()
        response = await post_event(client, hooked, content)
        assert response.status_code == 400
        assert response.json()["error"] == "malformed_json"
        assert reason in response.json()["detail"]
        assert await events(db) == []

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            ([1, 2], "expected a JSON object, got list"),
            ("hello", "expected a JSON object, got str"),
            ({"instance": "x", "data": None}, "event: Field required"),
            ({"event": "messages.upsert", "instance": "x"}, "data: Field required"),
            ({"event": "", "instance": "x", "data": None}, "event:"),
            ({"event": "messages.upsert", "instance": 7, "data": None}, "instance:"),
            ({"event": "rm -rf /", "instance": "x", "data": None}, "event name"),
        ],
    )
    async def test_not_an_envelope_is_422(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        body: Any,
        reason: str,
    ) -> None:
        hooked = await instances.create()
        response = await post_event(client, hooked, body)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "not_an_evolution_event"
        assert reason in response.json()["detail"]
        assert await events(db) == []

    async def test_rejections_are_logged_with_their_reason(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        hooked = await instances.create()
        with caplog.at_level(logging.INFO):
            await post_event(client, hooked, b'{"event": "x", "secret-ish": ')
        [record] = [
            r.msg
            for r in caplog.records
            if isinstance(r.msg, dict) and r.msg.get("event") == "webhook.rejected"
        ]
        assert record["status"] == 400 and "JSON" in record["reason"]
        assert "secret-ish" not in str(record)

    async def test_wrong_secret_wins_over_a_bad_body(
        self, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        hooked = await instances.create()
        response = await post_event(client, hooked, b"{garbage", secret="nope")
        assert response.status_code == 401

    async def test_too_large_is_413(
        self, settings: Settings, instances: InstanceFactory, run_app: AppRunner
    ) -> None:
        small = settings.model_copy(update={"webhook_max_body_bytes": 4096})
        async with (
            run_app(small) as app,
            loopback.client(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            hooked = await instances.create()
            big = text_message("BIG", text_body="x" * 5000)
            assert (await post_event(c, hooked, big)).status_code == 413
            assert (await post_event(c, hooked, text_message("SMALL"))).status_code == 200


class TestByEventsUrls:
    async def test_matching_suffix_is_accepted(
        self, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        hooked = await instances.create()
        response = await post_event(client, hooked, text_message("ID1"), suffix="messages-upsert")
        assert response.status_code == 200

    async def test_suffix_of_another_event_is_422(
        self, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        hooked = await instances.create()
        response = await post_event(client, hooked, text_message("ID1"), suffix="connection-update")
        assert response.status_code == 422
        assert "/connection-update" in response.json()["detail"]

    async def test_byevents_url_needs_the_secret_too(
        self, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        hooked = await instances.create()
        response = await post_event(
            client, hooked, text_message("ID1"), suffix="messages-upsert", secret="x"
        )
        assert response.status_code == 401


class TestInbox:
    async def test_event_is_stored_as_received_but_the_token(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create("acme-support")
        body = text_message("ID1")
        response = await post_event(client, hooked, body)
        [event] = await events(db)
        assert response.json() == {"ok": True, "event_id": event.id, "status": "received"}
        assert event.body == {**body, "apikey": "****B924"}
        assert event.status == "processed"
        assert (event.event, event.instance_name, event.instance_id) == (
            "messages.upsert",
            "acme-support",
            hooked.id,
        )
        assert event.attempts == 1 and event.processed_at is not None and event.error is None

    @pytest.mark.parametrize("name", ["presence.update", "chats.upsert", "call", "made.up"])
    async def test_unknown_events_are_stored_and_2xx(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        name: str,
    ) -> None:
        hooked = await instances.create()
        body = {"event": name, "instance": hooked.name, "data": [{"remoteJid": "x"}]}
        response = await post_event(client, hooked, body)
        assert response.status_code == 200
        [event] = await events(db)
        assert event.status == "ignored" and event.body == body


@pytest.fixture
def broken_upsert(monkeypatch: pytest.MonkeyPatch) -> None:
    """Storing messages stores them, then raises."""
    original = handlers.messages.store_messages

    async def explode(*args: Any, **kwargs: Any) -> Any:
        await original(*args, **kwargs)
        raise RuntimeError("handler exploded")

    monkeypatch.setattr(handlers.messages, "store_messages", explode)


class TestFailingHandler:
    async def test_failure_keeps_the_event_and_answers_2xx(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        broken_upsert: None,
    ) -> None:
        hooked = await instances.create()
        response = await post_event(client, hooked, text_message("ID1"))
        assert response.status_code == 200
        [event] = await events(db)
        assert event.status == "failed"
        assert event.error == "RuntimeError: handler exploded"
        # The handler's own writes rolled back with its savepoint.
        assert await messages(db) == []

    async def test_failed_event_is_replayable(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        admin_headers: dict[str, str],
        monkeypatch: pytest.MonkeyPatch,
        broken_upsert: None,
    ) -> None:
        hooked = await instances.create()
        event_id = (await post_event(client, hooked, text_message("ID1"))).json()["event_id"]
        monkeypatch.undo()  # the bug is fixed
        response = await client.post(
            f"/api/webhooks/events/{event_id}/replay", headers=admin_headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "processed"
        assert response.json()["attempts"] == 2
        assert response.json()["error"] is None
        assert [m.message_id for m in await messages(db)] == ["ID1"]
        # Replaying again changes nothing.
        again = await client.post(f"/api/webhooks/events/{event_id}/replay", headers=admin_headers)
        assert again.json()["status"] == "processed"
        assert len(await messages(db)) == 1

    async def test_only_admins_replay(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        event_id = (await post_event(client, hooked, text_message("ID1"))).json()["event_id"]
        response = await client.post(
            f"/api/webhooks/events/{event_id}/replay", headers=operator_headers
        )
        assert response.status_code == 403


class TestEventsApi:
    async def test_list_filters_and_pages(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        admin_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        for i in range(5):
            await post_event(client, hooked, text_message(f"ID{i}"))
        await post_event(client, hooked, {"event": "call", "instance": "x", "data": {}})
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2, "event": "messages.upsert"}
            if cursor:
                params["cursor"] = cursor
            page = (
                await client.get("/api/webhooks/events", params=params, headers=admin_headers)
            ).json()
            seen += [e["id"] for e in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == 5 and seen == sorted(seen, reverse=True)
        ignored = await client.get(
            "/api/webhooks/events", params={"status": "ignored"}, headers=admin_headers
        )
        assert [e["event"] for e in ignored.json()["items"]] == ["call"]

    async def test_detail_masks_the_instance_token(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        admin_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        event_id = (await post_event(client, hooked, text_message("ID1"))).json()["event_id"]
        detail = (
            await client.get(f"/api/webhooks/events/{event_id}", headers=admin_headers)
        ).json()
        assert detail["body"]["apikey"] == "****B924"
        assert detail["body"]["data"]["key"]["id"] == "ID1"

    async def test_missing_event_is_404(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.get("/api/webhooks/events/12345", headers=admin_headers)
        assert response.status_code == 404
        replay = await client.post("/api/webhooks/events/12345/replay", headers=admin_headers)
        assert replay.status_code == 404


async def test_failed_instance_event_rolls_back_and_announces_nothing_of_it(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A transition made by an event that then fails is rolled back with it, and no
    browser ever hears of it."""
    original = handlers.lifecycle.apply_instance_event

    def explode(*args: Any) -> Any:
        outcome = original(*args)  # moves the instance to "open"
        if isinstance(args[2], ConnectionUpdate):
            raise RuntimeError("boom after the transition")
        return outcome

    monkeypatch.setattr(handlers.lifecycle, "apply_instance_event", explode)
    hooked = await instances.create()
    subscription = app.state.bus.subscribe()
    body = {
        "event": "connection.update",
        "instance": hooked.name,
        "data": {"state": "open", "wuid": "5511987654321@s.whatsapp.net", "statusReason": 200},
        "date_time": "2025-01-15T11:00:41.611Z",
    }
    response = await post_event(client, hooked, body)
    assert await applied_status(db, response) == "failed"
    async with db() as session:
        instance = await session.get(EvolutionInstance, hooked.id)
        assert instance is not None and instance.status == "created"
    # A later event's announcement marks the end of what the failed one could have sent.
    qr = {"qrcode": {"code": "2@abc", "base64": "data:image/png;base64,AAA"}}
    await post_event(
        client, hooked, {"event": "qrcode.updated", "instance": hooked.name, "data": qr}
    )
    seen = []
    async with asyncio.timeout(5):
        while (event := await anext(subscription))["type"] != "instance.qr":
            seen.append((event["type"], event["data"].get("status")))
    assert ("instance.updated", "open") not in seen
    await subscription.aclose()


# another connection deletes the instance in the middle of the request: real commits
@pytest.mark.commits
async def test_event_for_an_instance_deleted_meanwhile_is_410_and_stores_nothing(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Evolution sends ``remove.instance`` while evodash is still deleting the instance:
    the secret checks out, but by the time the event is written the row is gone."""
    from sqlalchemy import delete

    appender = app.state.webhook_tasks.receiver.appender
    hooked = await instances.create()
    original = appender._insert

    async def delete_first(rows: list[dict[str, Any]]) -> list[int]:
        async with db() as other:
            await other.execute(delete(EvolutionInstance).where(EvolutionInstance.id == hooked.id))
            await other.commit()
        return await original(rows)

    monkeypatch.setattr(appender, "_insert", delete_first)
    body = {"event": "remove.instance", "instance": hooked.name, "data": None}
    response = await post_event(client, hooked, body)
    assert response.status_code == 410, response.text
    assert response.json()["error"] == "webhook_instance_gone"
    assert await events(db) == []


async def test_an_instance_deleted_through_the_api_is_refused_at_once(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    admin_headers: dict[str, str],
) -> None:
    """Its secret was cached by the first event; deleting the instance forgets it."""
    hooked = await instances.create("acme-support")
    assert (await post_event(client, hooked, text_message("BEFORE"))).status_code == 200
    with respx.mock() as evolution:
        evolution.delete(url__startswith="http://evolution.test/instance/delete/").respond(
            200, json=load_evolution_json("responses/delete.json")
        )
        deleted = await client.delete(
            f"/api/instances/{hooked.id}?keep_history=false", headers=admin_headers
        )
    assert deleted.status_code == 204, deleted.text
    response = await post_event(client, hooked, text_message("AFTER"))
    assert response.status_code == 401
