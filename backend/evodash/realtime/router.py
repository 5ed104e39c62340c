"""The WebSocket endpoint the SPA (and integrators) listen on for live changes.

No credential travels in the URL (URLs end up in logs and proxies' access logs): the SPA
authenticates with its session cookie; integrators get a one-use ticket from
``POST /api/ws/ticket`` and send it as ``?ticket=`` (useless once used, and after 30 s),
or open the socket bare and send ``{"type": "auth", "ticket"|"token": "…"}`` first.

A socket lives long, so what authenticated it is checked again at every ping: a logout,
"log out everywhere", a password change or a deactivation closes it (code 4401) within
``WS_PING_SECONDS``, on whichever API process holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import urlsplit

import orjson
import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from pydantic import ValidationError

from evodash.auth import service as auth_service
from evodash.auth import sessions
from evodash.auth.deps import CurrentAuth, CurrentUser
from evodash.auth.models import SessionKind
from evodash.auth.schemas import WsTicket
from evodash.auth.sessions import AuthContext
from evodash.core.config import Settings
from evodash.core.deps import ClientIP, SessionDep, SettingsDep
from evodash.core.schemas import error_responses
from evodash.core.security import API_KEY_PREFIX
from evodash.realtime.events import Greeting, HelloEvent, PingEvent, RealtimeEvent
from evodash.teams.scope import Scope, Subject, scope_for

log = structlog.get_logger(__name__)
router = APIRouter(tags=["realtime"])

#: How long a bare socket may take to send its auth message.
AUTH_MESSAGE_SECONDS = 10
UNAUTHORIZED = 4401


@router.post(
    "/api/ws/ticket",
    response_model=WsTicket,
    status_code=status.HTTP_201_CREATED,
    summary="Get a one-use ticket for the WebSocket",
    description="Open `/api/ws?ticket=<ticket>` within `WS_TICKET_SECONDS` (30 s), or send "
    '`{"type": "auth", "ticket": "<ticket>"}` as the first message. Each ticket works once; '
    "the socket then lives as long as the credential the ticket was made with.",
    responses=error_responses(401, 403),
)
async def ws_ticket(
    auth: CurrentAuth, session: SessionDep, settings: SettingsDep, ip: ClientIP
) -> WsTicket:
    ticket, expires_at = await sessions.issue_ws_ticket(session, auth, settings, ip=ip)
    return WsTicket(ticket=ticket, expires_at=expires_at)


async def _from_cookie(websocket: WebSocket, cookie: str) -> AuthContext | None:
    # A cookie rides along on cross-site WebSocket handshakes too: check the Origin.
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    if origin and urlsplit(origin).netloc != host:
        return None
    settings: Settings = websocket.app.state.settings
    async with websocket.app.state.sessionmaker() as session:
        return await sessions.from_token(session, cookie, settings, kind=SessionKind.session)


async def _from_credential(
    websocket: WebSocket, *, ticket: str | None, token: str | None
) -> AuthContext | None:
    settings: Settings = websocket.app.state.settings
    ctx: AuthContext | None = None
    async with websocket.app.state.sessionmaker() as session:
        if ticket:
            ctx = await sessions.redeem_ws_ticket(session, ticket)
        elif token and token.startswith(API_KEY_PREFIX):
            ctx = await auth_service.user_from_api_key(session, token)
        elif token:
            ctx = await sessions.from_token(session, token, settings, kind=SessionKind.bearer)
        await session.commit()  # a used ticket stays used, even if refused after
    return ctx


async def _auth_message(websocket: WebSocket) -> AuthContext | None:
    """Wait for ``{"type": "auth", "ticket"|"token": …}`` on an accepted bare socket."""
    try:
        async with asyncio.timeout(AUTH_MESSAGE_SECONDS):
            raw = await websocket.receive_text()
    except (TimeoutError, WebSocketDisconnect, KeyError):
        return None
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("type") != "auth":
        return None
    ticket, token = message.get("ticket"), message.get("token")
    return await _from_credential(
        websocket,
        ticket=ticket if isinstance(ticket, str) else None,
        token=token if isinstance(token, str) else None,
    )


async def _still_valid(websocket: WebSocket, ctx: AuthContext) -> bool:
    async with websocket.app.state.sessionmaker() as session:
        return await sessions.still_valid(session, ctx)


def in_scope(event: dict[str, Any], scope: Scope) -> bool:
    """Whether ``scope`` sees what ``event`` is about: every event names its ``subject``
    (:class:`~evodash.teams.scope.Subject`, the field the alerts API decides by too); one
    without a readable subject reaches unlimited scopes only."""
    if scope.unlimited:
        return True
    try:
        subject = Subject.model_validate(event.get("subject"))
    except ValidationError:
        return False
    return scope.sees(subject)


async def _scope(websocket: WebSocket, ctx: AuthContext) -> Scope:
    async with websocket.app.state.sessionmaker() as session:
        return await scope_for(session, ctx.user, ctx.api_key)


@router.websocket("/api/ws", name="events")
async def events(websocket: WebSocket) -> None:
    """Streams `{"id", "type", "at", "data", "subject"}` events (their schema:
    `GET /api/ws/events`):
    instance.updated, instance.qr, message.created, message.updated, job.updated, ...
    Authenticate with the session
    cookie, `?ticket=` (from `POST /api/ws/ticket`), or a first message
    `{"type": "auth", "ticket"|"token": "…"}`. Closed with 4401 when not (or no longer)
    authenticated."""
    settings: Settings = websocket.app.state.settings
    if "token" in websocket.query_params:
        # The old way put bearer tokens and API keys in URLs, which get logged.
        await websocket.close(code=UNAUTHORIZED, reason="use a ticket, not ?token=")
        return
    ticket = websocket.query_params.get("ticket")
    cookie = websocket.cookies.get(settings.session_cookie_name)
    ctx: AuthContext | None = None
    if ticket:
        ctx = await _from_credential(websocket, ticket=ticket, token=None)
    elif cookie:
        ctx = await _from_cookie(websocket, cookie)
    else:
        await websocket.accept()
        ctx = await _auth_message(websocket)
        if ctx is None:
            await websocket.close(code=UNAUTHORIZED, reason="not authenticated")
            return
    if ctx is None:
        await websocket.close(code=UNAUTHORIZED, reason="not authenticated")
        return
    if websocket.client_state.name == "CONNECTING":
        await websocket.accept()
    await _stream(websocket, ctx)


async def _stream(websocket: WebSocket, ctx: AuthContext) -> None:
    bus = websocket.app.state.bus
    scope = await _scope(websocket, ctx)
    # Subscribed before the hello: a client that got its hello misses no later event.
    subscription = bus.subscribe()
    hello = HelloEvent(data=Greeting(user=ctx.user.username))
    try:
        await websocket.send_json(hello.model_dump(mode="json"))
    except Exception:
        await subscription.aclose()
        raise

    async def pump() -> None:
        async for event in subscription:
            if in_scope(event, scope):
                await websocket.send_text(orjson.dumps(event).decode())

    async def keepalive() -> None:
        while True:
            await asyncio.sleep(websocket.app.state.settings.ws_ping_seconds)
            if not await _still_valid(websocket, ctx):
                log.info("realtime.session_ended", user=ctx.user.username)
                await websocket.close(code=UNAUTHORIZED, reason="session ended")
                return
            nonlocal scope
            scope = await _scope(websocket, ctx)  # teams change; follow them
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
    '"data", "subject"}`, where `type` tells the shape of `data` (this response\'s item '
    "schema) and `subject` names the instance or server it is about (a socket gets the "
    "events about what its user's teams see). This route only documents them: it answers "
    "an empty list.",
)
async def event_types(_: CurrentUser) -> list[RealtimeEvent]:
    return []
