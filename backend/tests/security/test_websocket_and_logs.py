"""Finding 8 of issue 11: no credential in a URL, none in a log line.

``ws://…/api/ws?token=…`` put bearer tokens and API keys in uvicorn's log, and docs/api.md
told integrators to do it. Integrators now use a one-use ticket (``POST /api/ws/ticket``)
or send their credential as the first message, and every log line is scrubbed.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.logging import ScrubFilter
from evodash.realtime.events import InstanceDeletedEvent, InstanceRef
from tests import loopback
from tests.conftest import REPO_ROOT
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live import LiveServer
from tests.security.conftest import HeadersFor
from tests.teams import worlds

# Real HTTP servers, several connections and processes: real commits.
pytestmark = pytest.mark.commits


async def _hello(ws: websockets.ClientConnection) -> dict[str, object]:
    message: dict[str, object] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return message


async def _closed_code(ws: websockets.ClientConnection) -> int | None:
    with pytest.raises(websockets.ConnectionClosed) as info:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    return info.value.rcvd.code if info.value.rcvd else None


async def _ticket(live: LiveServer, headers: dict[str, str]) -> str:
    async with loopback.client(base_url=live.url) as http:
        response = await http.post("/api/ws/ticket", headers=headers)
    assert response.status_code == 201, response.text
    ticket: str = response.json()["ticket"]
    return ticket


class TestTickets:
    async def test_a_ticket_opens_the_socket_once(
        self, live: LiveServer, users: UserFactory, as_user: HeadersFor
    ) -> None:
        headers = await as_user(await users.viewer(username="integrator"))
        ticket = await _ticket(live, headers)
        async with websockets.connect(f"{live.ws_url}/api/ws?ticket={ticket}") as ws:
            hello = await _hello(ws)  # a typed event: with its id and time too
            assert (hello["type"], hello["data"]) == ("hello", {"user": "integrator"})
        with pytest.raises(websockets.InvalidStatus):  # used: refused before the upgrade
            async with websockets.connect(f"{live.ws_url}/api/ws?ticket={ticket}"):
                pass

    async def test_a_ticket_works_as_the_first_message(
        self, live: LiveServer, users: UserFactory, as_user: HeadersFor
    ) -> None:
        headers = await as_user(await users.viewer(username="first"))
        ticket = await _ticket(live, headers)
        async with websockets.connect(f"{live.ws_url}/api/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "ticket": ticket}))
            assert (await _hello(ws))["type"] == "hello"

    async def test_api_keys_and_tokens_work_as_the_first_message(
        self, live: LiveServer, users: UserFactory, as_user: HeadersFor
    ) -> None:
        headers = await as_user(await users.operator(username="keyed"))
        async with loopback.client(base_url=live.url) as http:
            key = (
                await http.post("/api/auth/api-keys", json={"name": "ws"}, headers=headers)
            ).json()["key"]
        token = headers["Authorization"].removeprefix("Bearer ")
        for credential in (key, token):
            async with websockets.connect(f"{live.ws_url}/api/ws") as ws:
                await ws.send(json.dumps({"type": "auth", "token": credential}))
                assert (await _hello(ws))["data"] == {"user": "keyed"}

    async def test_tokens_in_the_url_are_refused(
        self, live: LiveServer, users: UserFactory, as_user: HeadersFor
    ) -> None:
        headers = await as_user(await users.viewer())
        token = headers["Authorization"].removeprefix("Bearer ")
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(f"{live.ws_url}/api/ws?token={token}"):
                pass

    async def test_a_wrong_first_message_closes_with_4401(self, live: LiveServer) -> None:
        async with websockets.connect(f"{live.ws_url}/api/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "ticket": "made-up"}))
            assert await _closed_code(ws) == 4401

    async def test_a_socket_opened_with_a_limited_key_gets_its_scope_only(
        self,
        live: LiveServer,
        app: FastAPI,
        users: UserFactory,
        as_user: HeadersFor,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        """An admin's key limited to team A: the socket it opens is as limited as it is."""
        world = await worlds.build(db)
        headers = await as_user(await users.admin(username="integra"))
        async with loopback.client(base_url=live.url) as http:
            created = await http.post(
                "/api/auth/api-keys",
                json={"name": "ws time A", "team_ids": [world.team_a]},
                headers=headers,
            )
        assert created.status_code == 201, created.text
        ticket = await _ticket(live, {"X-API-Key": created.json()["key"]})
        async with websockets.connect(f"{live.ws_url}/api/ws?ticket={ticket}") as ws:
            await _hello(ws)
            await asyncio.sleep(0.05)
            # B's instance first, then A's: once A's arrives, B's would have come before it.
            for instance, server in (
                (world.instance_b, world.server_c),
                (world.instance_b_sibling, world.server_b),
                (world.instance_a, world.server_a),
            ):
                event = InstanceDeletedEvent(data=InstanceRef(id=instance, server_id=server))
                await app.state.bus.publish(event.model_dump(mode="json"))
            received = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert received["type"] == "instance.deleted"
        assert received["data"]["id"] == world.instance_a


class TestLongLivedSockets:
    async def test_logging_out_closes_the_open_socket(
        self, live: LiveServer, app: FastAPI, users: UserFactory
    ) -> None:
        app.state.settings.ws_ping_seconds = 0.05
        await users.viewer(username="watcher")
        async with loopback.client(base_url=live.url) as http:
            login = await http.post(
                "/api/auth/login", json={"username": "watcher", "password": DEFAULT_PASSWORD}
            )
            cookie = f"evodash_session={login.cookies['evodash_session']}"
            async with websockets.connect(
                f"{live.ws_url}/api/ws", additional_headers={"Cookie": cookie}
            ) as ws:
                await _hello(ws)
                logout = await http.post(
                    "/api/auth/logout", headers={"X-CSRF-Token": http.cookies["evodash_csrf"]}
                )
                assert logout.status_code == 204
                assert await _closed_code(ws) == 4401

    async def test_revoking_the_api_key_closes_its_socket(
        self, live: LiveServer, app: FastAPI, users: UserFactory, as_user: HeadersFor
    ) -> None:
        app.state.settings.ws_ping_seconds = 0.05
        headers = await as_user(await users.operator())
        async with loopback.client(base_url=live.url) as http:
            created = (
                await http.post("/api/auth/api-keys", json={"name": "ws"}, headers=headers)
            ).json()
            ticket = await _ticket(live, {"X-API-Key": created["key"]})
            async with websockets.connect(f"{live.ws_url}/api/ws?ticket={ticket}") as ws:
                await _hello(ws)
                revoked = await http.delete(
                    f"/api/auth/api-keys/{created['api_key']['id']}", headers=headers
                )
                assert revoked.status_code == 200
                assert await _closed_code(ws) == 4401


def _app_handlers() -> list[logging.StreamHandler]:  # type: ignore[type-arg]
    # The one configure_logging installs (pytest adds its own capture handlers).
    return [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]


@pytest.fixture
def log_output(app: FastAPI) -> Iterator[io.StringIO]:
    """What the app's log handler (set up by create_app) writes, at INFO, during a test."""
    root = logging.getLogger()
    [handler] = _app_handlers()
    buffer = io.StringIO()
    previous_stream, previous_level = handler.setStream(buffer), root.level
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        handler.setStream(previous_stream)
        root.setLevel(previous_level)


class TestLogs:
    async def test_uvicorn_websocket_lines_carry_no_ticket(
        self,
        live: LiveServer,
        users: UserFactory,
        as_user: HeadersFor,
        log_output: io.StringIO,
    ) -> None:
        headers = await as_user(await users.viewer())
        ticket = await _ticket(live, headers)
        async with websockets.connect(f"{live.ws_url}/api/ws?ticket={ticket}") as ws:
            await _hello(ws)
        # uvicorn itself logs '… "WebSocket /api/ws?ticket=…" [accepted]' (uvicorn.error).
        output = log_output.getvalue()
        assert "WebSocket /api/ws?ticket=***" in output
        assert ticket not in output

    def test_every_handler_and_uvicorn_access_log_scrub(self, app: FastAPI) -> None:
        handlers = _app_handlers()
        assert handlers and all(
            any(isinstance(f, ScrubFilter) for f in h.filters) for h in handlers
        )
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("1.2.3.4:5", "GET", "/api/ws?token=abc&apikey=evd_x", "1.1", 101),
            None,
        )
        for filt in logging.getLogger("uvicorn.access").filters:
            filt.filter(record)
        assert record.getMessage() == '1.2.3.4:5 - "GET /api/ws?token=***&apikey=*** HTTP/1.1" 101'

    def test_structlog_events_are_scrubbed(self, log_output: io.StringIO, app: FastAPI) -> None:
        import structlog

        structlog.get_logger("t").info(
            "webhook.forward_failed", url="https://u:pw@hooks.example/x?token=abc", error="x"
        )
        output = log_output.getvalue()
        assert "pw" not in output.replace("password", "") and "abc" not in output
        assert "token=***" in output


def test_the_api_guide_no_longer_puts_tokens_in_websocket_urls() -> None:
    guide = Path(REPO_ROOT / "docs" / "api.md").read_text()
    assert "/api/ws?token=" not in guide
    assert "/api/ws/ticket" in guide
