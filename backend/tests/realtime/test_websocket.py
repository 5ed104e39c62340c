from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
import websockets
from fastapi import FastAPI
from pydantic import TypeAdapter

from evodash.realtime.events import RealtimeEvent, ServerDeletedEvent, ServerGone
from tests import loopback
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live import LiveServer, serve


@pytest.fixture
async def live(app: FastAPI) -> AsyncIterator[LiveServer]:
    async with serve(app) as server:
        yield server


async def _login_cookie(live: LiveServer, username: str) -> str:
    async with loopback.client(base_url=live.url) as http:
        response = await http.post(
            "/api/auth/login", json={"username": username, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 200
        return f"evodash_session={response.cookies['evodash_session']}"


class TestWebSocket:
    async def test_logged_in_browser_receives_events(
        self, live: LiveServer, app: FastAPI, users: UserFactory
    ) -> None:
        await users.viewer(username="watcher")
        cookie = await _login_cookie(live, "watcher")
        async with websockets.connect(
            live.ws_url + "/api/ws", additional_headers={"Cookie": cookie}
        ) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert (hello["type"], hello["data"]) == ("hello", {"user": "watcher"})
            await asyncio.sleep(0.05)
            sent = ServerDeletedEvent(data=ServerGone(id=1))
            await app.state.bus.publish(sent.model_dump(mode="json"))
            event = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert event["type"] == "server.deleted"
            assert event["data"] == {"id": 1}
            assert TypeAdapter(RealtimeEvent).validate_python(event) == sent

    async def test_anonymous_connection_is_refused(self, live: LiveServer) -> None:
        async with websockets.connect(live.ws_url + "/api/ws") as ws:
            await ws.send(json.dumps({"type": "hello"}))
            with pytest.raises(websockets.ConnectionClosed) as info:
                await asyncio.wait_for(ws.recv(), 5)
        assert info.value.rcvd is not None and info.value.rcvd.code == 4401

    async def test_cross_site_origin_is_refused(self, live: LiveServer, users: UserFactory) -> None:
        await users.viewer(username="victim")
        cookie = await _login_cookie(live, "victim")
        with pytest.raises(websockets.InvalidStatus) as info:
            async with websockets.connect(
                live.ws_url + "/api/ws",
                additional_headers={"Cookie": cookie, "Origin": "https://evil.example"},
            ):
                pass
        assert info.value.response.status_code == 403
