"""Domain errors and the one place that renders them as JSON.

Services raise subclasses of :class:`AppError`; they never raise ``HTTPException``.
Every error reaches the client as ``{"error": <code>, "detail": <human readable>}``
with the status code the error class carries.
"""

from __future__ import annotations

from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger(__name__)


class AppError(Exception):
    """Base class of every expected failure. Subclasses set ``status_code`` and ``code``."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"


class PermissionDenied(AppError):
    status_code = 403
    code = "permission_denied"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class MethodNotAllowed(AppError):
    status_code = 405
    code = "method_not_allowed"


class Unprocessable(AppError):
    status_code = 422
    code = "unprocessable"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"


class UpstreamError(AppError):
    """An Evolution server (or another upstream) failed; the caller's request was fine."""

    status_code = 502
    code = "upstream_error"


class UpstreamTimeout(AppError):
    status_code = 504
    code = "upstream_timeout"


class ServiceUnavailable(AppError):
    """Busy right now (too many logins being checked): try again after ``Retry-After``."""

    status_code = 503
    code = "service_unavailable"


def _body(code: str, detail: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "detail": detail}
    if extra:
        body.update(extra)
    return body


_STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    extra = exc.extra
    if exc.status_code == 422 and "errors" not in extra:
        # Every 422 has the same shape, with `errors` naming what was wrong.
        extra = {**extra, "errors": [{"field": "body", "message": exc.detail}]}
    return JSONResponse(
        _body(exc.code, exc.detail, extra), status_code=exc.status_code, headers=exc.headers
    )


#: The name of the SPA's catch-all GET route, which matches every path: not an API route.
SPA_ROUTE_NAME = "spa"


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's own 405 names only the
    methods of the first route that matches the path)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        route_methods = route.methods
        if not route_methods or route.name == SPA_ROUTE_NAME:
            continue
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(route_methods)
    return sorted(methods)


def method_not_allowed(request: Request, allowed: list[str]) -> MethodNotAllowed:
    return MethodNotAllowed(
        f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}.",
        headers={"Allow": ", ".join(allowed)},
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        if allowed := allowed_methods(request):
            return await _app_error(request, method_not_allowed(request, allowed))
        if request.url.path == "/api" or request.url.path.startswith("/api/"):
            # Only the SPA's catch-all matched the path: no API route is there at all.
            return await _app_error(request, NotFound(f"No API route {request.url.path}."))
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    return JSONResponse(_body(code, exc.detail), status_code=exc.status_code, headers=exc.headers)


def _readable_location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _readable_location(e.get("loc", ())), "message": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONResponse(_body("validation_error", detail, {"errors": errors}), status_code=422)


_INTERNAL_ERROR = (
    b'{"error":"internal_error","detail":"An unexpected error occurred; it has been logged."}'
)


class UnhandledErrorMiddleware:
    """Answers a bug with the JSON 500 body and keeps the connection open.

    A handler for ``Exception`` would be installed in Starlette's ``ServerErrorMiddleware``,
    which re-raises after answering, and uvicorn then closes the keep-alive connection of
    a response already sent. Here the error is logged and swallowed instead.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.exception(
                "request.unhandled_error", path=scope.get("path"), error=type(exc).__name__
            )
            if started:  # nothing sensible can follow a half-sent answer
                raise
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(_INTERNAL_ERROR)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _INTERNAL_ERROR})


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up before sending its whole body (load generators do it when they
    stop): one line, no traceback, and an answer nobody reads."""
    log.info("request.client_disconnected", method=request.method, path=request.url.path)
    return Response(status_code=499)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
