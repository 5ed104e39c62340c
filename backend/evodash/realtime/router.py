"""The WebSocket endpoint the SPA listens on for live changes."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

import orjson
import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from evodash.auth import service as auth_service
from evodash.auth.deps import CurrentUser
from evodash.core.config import Settings
from evodash.core.db import session_scope
from evodash.core.schemas import error_responses
from evodash.core.security import API_KEY_PREFIX
from evodash.realtime.events import Greeting, HelloEvent, PingEvent, RealtimeEvent
from evodash.users.models import User

log = structlog.get_logger(__name__)
router = APIRouter(tags=["realtime"])

PING_SECONDS = 25


async def _authenticate(websocket: WebSocket) -> User | None:
    settings: Settings = websocket.app.state.settings
    token = websocket.query_params.get("token")
    cookie = websocket.cookies.get(settings.session_cookie_name)
    if not token and cookie:
        # A cookie rides along on cross-site WebSocket handshakes too: check the Origin.
        origin = websocket.headers.get("origin")
        host = websocket.headers.get("host")
        if origin and urlsplit(origin).netloc != host:
            return None
    async with session_scope(websocket.app.state.sessionmaker) as session:
        if token and token.startswith(API_KEY_PREFIX):
            return await auth_service.user_from_api_key(session, token)
        if token or cookie:
            return await auth_service.user_from_token(session, token or cookie or "", settings)
    return None


@router.websocket("/api/ws", name="events")
async def events(websocket: WebSocket) -> None:
    """Streams `{"id", "type", "at", "data"}` events (their schema: `GET /api/ws/events`).
    Authenticate with the session cookie, or `?token=<bearer token or API key>`."""
    user = await _authenticate(websocket)
    if user is None:
        await websocket.close(code=4401, reason="not authenticated")
        return
    await websocket.accept()
    bus = websocket.app.state.bus
    hello = HelloEvent(data=Greeting(user=user.username))
    await websocket.send_json(hello.model_dump(mode="json"))

    subscription = bus.subscribe()

    async def pump() -> None:
        async for event in subscription:
            await websocket.send_text(orjson.dumps(event).decode())

    async def keepalive() -> None:
        while True:
            await asyncio.sleep(PING_SECONDS)
            await websocket.send_json(PingEvent().model_dump(mode="json"))

    async def drain() -> None:
        # Reading is how we notice the client went away.
        while True:
            await websocket.receive_text()

    tasks = [asyncio.create_task(t()) for t in (pump, keepalive, drain)]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    except WebSocketDisconnect:
        pass
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await task
        await subscription.aclose()


@router.get(
    "/api/ws/events",
    response_model=list[RealtimeEvent],
    summary="The events the WebSocket streams (their schema)",
    description='`/api/ws` sends one JSON object per event, `{"id", "type", "at", '
    '"data"}`, where `type` tells the shape of `data` (this response\'s item schema). '
    "This route only documents them: it answers an empty list.",
    responses=error_responses(401),
)
async def event_types(_: CurrentUser) -> list[RealtimeEvent]:
    return []
