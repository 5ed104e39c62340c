"""Pure ASGI middleware: request ids + access log, body size limits, security headers."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evodash.core import metrics

log = structlog.get_logger("evodash.request")
# Checked before building the line: a filtered structlog call still costs a processor run.
_ACCESS = logging.getLogger("evodash.request")

# The SPA is served from the same origin. /docs and /redoc load their assets from evodash
# too (core/docs.py), but their pages start them with inline scripts and ReDoc runs a web
# worker from a blob: URL, which is why those pages get a looser policy.
SPA_CSP = (
    "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self' ws: wss:; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# The customer reconnect page (reconnect/page.py): no login, opened by people outside the
# team, so it may do only what it needs: its own scripts and styles, requests to the public
# reconnect API, the QR code as a data: URL. No websocket, no other origin, no form posts.
RECONNECT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
RECONNECT_PAGES = ("/reconnect", "/reconnect.html")
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)


class RequestContextMiddleware:
    """Binds a request id to every log line of the request and logs one access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode()
        request_id = incoming[:64] if incoming.isascii() and incoming else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_holder = {"status": 0}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if scope["type"] == "http":
                elapsed = time.perf_counter() - started
                path = scope.get("path", "")
                # 500 when nothing was sent: the error middleware inside answers it so.
                status = status_holder["status"] or 500
                method = scope.get("method", "")
                metrics.observe_request(method, route_label(scope), status, elapsed)
                if not path.startswith(("/assets/", "/healthz")) and _ACCESS.isEnabledFor(
                    logging.INFO
                ):
                    log.info(
                        "request",
                        method=scope.get("method"),
                        path=path,
                        status=status_holder["status"],
                        duration_ms=round(elapsed * 1000, 1),
                    )
            structlog.contextvars.clear_contextvars()


def route_label(scope: Scope) -> str:
    """The template of the route that answered (``/api/instances/{instance_id}``), never
    the raw path: the label's values stay as few as the routes. The app keeps the whole
    templates of its nested routes in ``state.route_templates``."""
    route = scope.get("route")
    if route is None:
        return metrics.UNMATCHED
    app = scope.get("app")
    templates = getattr(getattr(app, "state", None), "route_templates", None) or {}
    path = templates.get(id(route)) or getattr(route, "path", None)
    return path if isinstance(path, str) and path else metrics.UNMATCHED


class BodySizeLimitMiddleware:
    """Refuses bodies over a limit (413) without reading them all into memory first."""

    def __init__(
        self, app: ASGIApp, *, default_limit: int, limits: Iterable[tuple[str, int]] = ()
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = sorted(limits, key=lambda item: -len(item[0]))

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.limits:
            if path.startswith(prefix):
                return limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await _too_large(send, limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = (
        b'{"error":"payload_too_large","detail":"The request body is larger than '
        + str(limit).encode()
        + b' bytes."}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path in RECONNECT_PAGES:
            csp = RECONNECT_CSP
        elif path.startswith(("/docs", "/redoc")):
            csp = DOCS_CSP
        else:
            csp = SPA_CSP

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if not path.startswith("/api/"):
                    headers.setdefault("Content-Security-Policy", csp)
            await send(message)

        await self.app(scope, receive, send_wrapper)
