"""The application factory. ``create_app()`` builds everything; nothing connects at import."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from evodash import __version__
from evodash.api import API_PREFIX, DOMAIN_ROUTERS, route_templates
from evodash.auth.throttle import LoginThrottle
from evodash.backups.schemas import BACKUP_MAX_BYTES
from evodash.core.config import Settings, get_settings
from evodash.core.docs import DOCS_SEGMENTS, OPENAPI_URL, install_docs
from evodash.core.errors import (
    SPA_ROUTE_NAME,
    NotFound,
    UnhandledErrorMiddleware,
    allowed_methods,
    install_error_handlers,
    method_not_allowed,
)
from evodash.core.health import router as health_router
from evodash.core.logging import configure_logging
from evodash.core.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from evodash.core.openapi import install_openapi
from evodash.core.scheduler import Scheduler
from evodash.core.security import PasswordHashing, configure_password_hashing
from evodash.core.services import Services, open_services
from evodash.core.spa import SpaIndex
from evodash.instances import cleanup
from evodash.jobs.worker import start_jobs, stop_jobs
from evodash.monitoring.router import router as monitoring_router
from evodash.realtime.router import router as realtime_router
from evodash.reconnect.page import mount_page as mount_reconnect_page
from evodash.recovery.runner import start_recovery, stop_recovery
from evodash.schedule import PERIODIC_TASKS
from evodash.users.service import ensure_first_admin
from evodash.webhooks.route import ReceiverRoute
from evodash.webhooks.router import receiver_router
from evodash.webhooks.tasks import start_webhook_tasks, stop_webhook_tasks

log = structlog.get_logger(__name__)

DESCRIPTION = """
The Evolution API Dashboard's REST API.

**Authentication**: log in with `POST /api/auth/token` (the *Authorize* button above), or
send an API key as `X-API-Key`. Roles: *viewer* reads, *operator* acts on instances and
sends messages, *admin* manages users and servers.

**Errors** always have the body `{"error": "<code>", "detail": "<readable text>"}`; a 422
adds `errors: [{"field", "message"}]`, and each operation lists the errors it can answer.
A 502 or 504 means the Evolution server failed (`evolution_status`, `evolution_message`).
"""


def _operation_id(route: APIRoute) -> str:
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


async def _bootstrap_admin(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session:
        password = await ensure_first_admin(session)
        await session.commit()
    if password:
        banner = (
            "\n" + "=" * 64 + "\n"
            "  evodash: first start, an admin user was created.\n"
            f"  username: admin\n  password: {password}\n"
            "  This password is shown only this once. Change it after logging in.\n"
            + "=" * 64
            + "\n"
        )
        sys.stdout.write(banner)
        sys.stdout.flush()
        log.warning("user.bootstrap_admin_created", username="admin")


_DEFAULT_GC_THRESHOLD = gc.get_threshold()


def tune_gc() -> None:
    """Keep what startup built out of the cyclic collector's passes, and run them less
    often. Objects are freed by reference counting; at thousands of webhooks a second the
    default thresholds start hundreds of passes a second, each a pause of the event loop
    that acknowledgements wait behind."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def untune_gc() -> None:
    """At shutdown: what startup froze is collectable again, so that it is freed before
    the interpreter exits. Left frozen, it outlived the interpreter's own cleanup, and
    zxing-cpp's bindings printed a "leaked 14 types, 38 functions" report at every stop."""
    gc.unfreeze()
    gc.set_threshold(*_DEFAULT_GC_THRESHOLD)


def start_scheduler(services: Services) -> Scheduler:
    """The periodic tasks of :mod:`evodash.schedule`, run here while this process leads."""
    scheduler = Scheduler(services, PERIODIC_TASKS)
    scheduler.start()
    return scheduler


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    async with open_services(settings) as services:
        state = app.state
        state.services = services
        state.engine, state.sessionmaker = services.engine, services.sessionmaker
        state.http, state.bus = services.http, services.bus
        state.login_throttle = LoginThrottle(
            per_pair=settings.login_max_attempts,
            per_address=settings.login_max_attempts_per_address,
            window_seconds=settings.login_window_seconds,
            max_delay=settings.login_backoff_max_seconds,
            redis=services.redis,  # with Redis, every process throttles as one
        )
        state.passwords = PasswordHashing(
            concurrency=settings.password_hash_concurrency,
            max_waiting=settings.password_hash_queue,
        )
        scheduler: Scheduler | None = None
        gc_tuned = False
        try:
            if settings.bootstrap_admin:
                await _bootstrap_admin(app)
            state.jobs_worker = await start_jobs(app)
            state.webhook_tasks = await start_webhook_tasks(app)
            state.recovery = await start_recovery(app)
            if settings.background_tasks:
                state.scheduler = scheduler = start_scheduler(services)
            log.info(
                "app.started", version=__version__, database=services.engine.url.get_backend_name()
            )
            if settings.environment != "test":  # process-wide: for a serving process only
                tune_gc()
                gc_tuned = True
            yield
        finally:
            if scheduler is not None:
                await scheduler.stop()
            await cleanup.drain(max_wait=10)
            await stop_recovery(getattr(state, "recovery", None))
            await stop_webhook_tasks(getattr(state, "webhook_tasks", None))
            await stop_jobs(getattr(state, "jobs_worker", None))
            state.passwords.close()
            if gc_tuned:
                untune_gc()
            log.info("app.stopped")


class ImmutableStaticFiles(StaticFiles):
    """Vite's /assets files carry a content hash in their names: cache them for good."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _mount_spa(app: FastAPI, dist: Path, session_cookie: str) -> None:
    dist = dist.resolve()
    index = dist / "index.html"
    # Each page's index.html names its code and first data (preload links): see core/spa.py.
    spa_index = SpaIndex(dist)
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/assets", ImmutableStaticFiles(directory=assets), name="assets")
    mount_reconnect_page(app, dist)

    # A plain def: FastAPI runs it in a thread, so the file checks do not block the loop.
    @app.get("/{path:path}", include_in_schema=False, name=SPA_ROUTE_NAME)
    def spa(path: str, request: Request) -> Response:
        if path.split("/", 1)[0] in DOCS_SEGMENTS:  # docs turned off (API_DOCS_ENABLED)
            raise NotFound(f"Nothing at {request.url.path}.")
        if path == "api" or path.startswith("api/"):
            if allowed := allowed_methods(request):
                raise method_not_allowed(request, allowed)
            raise NotFound(f"No API route {request.url.path}.")
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and dist in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            page = spa_index.render(
                path,
                query=request.url.query,
                has_session=session_cookie in request.cookies,
            )
            if page is not None:
                return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(
            "<!doctype html><title>evodash</title><h1>evodash API is running</h1>"
            "<p>The web app is not built yet: run <code>make run</code> (or "
            "<code>make build</code>).</p>",
            status_code=200,
        )


#: Where Evolution posts its events (``webhooks/router.py``): the path thousands of
#: requests a second take.
WEBHOOK_PREFIX = f"{API_PREFIX}/webhooks/evolution/"


class EvodashApp(FastAPI):
    """FastAPI, with a lean way in for Evolution's webhook posts.

    A webhook post goes through evodash's own middleware (request id and access line,
    body limit, security headers, the JSON 500) and the app's exception handlers, as every
    request, but not through what only other requests need: gzip (the receipt is a few
    bytes), FastAPI's telemetry hooks and body limit (evodash's own limit applies), Starlette's
    debug error page (evodash's JSON 500 answers first anyway), the walk over every route
    of the API to find the receiver, and FastAPI's per-request exit stacks (the receiver has
    no dependencies to close). An event, received and applied, cost the server about 280 µs
    of CPU through the whole stack and 220 µs this way, in-process (uvicorn's HTTP parsing
    adds some 60 µs to either; ``bench/webhook_ingest.py``). OpenTelemetry, when configured
    through FastAPI, does not see these posts. Anything that is not a post matching one of
    the receiver's routes takes the whole stack, so its answers (404, 405) stay the app's.
    ``webhook_fast_path = False`` sends the posts through the whole stack too (the tests
    compare the answers of both).
    """

    webhook_fast_path = True
    _webhook_stack: ASGIApp | None = None

    def _build_webhook_stack(self) -> ASGIApp:
        handlers = {
            key: value
            for key, value in self.exception_handlers.items()
            if key not in (500, Exception)
        }
        stack: ASGIApp = ExceptionMiddleware(_call_route, handlers=handlers, debug=self.debug)
        for cls, args, kwargs in reversed(self.user_middleware):
            if cls is not GZipMiddleware:
                stack = cls(stack, *args, **kwargs)
        return stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = _webhook_route(scope) if self.webhook_fast_path else None
        if matched is None:
            await super().__call__(scope, receive, send)
            return
        if self._webhook_stack is None:
            self._webhook_stack = self._build_webhook_stack()
        route, params = matched
        # What Starlette's app and router would have put in the scope.
        scope["app"] = self
        scope.setdefault("router", self.router)
        scope.update(route=route, endpoint=route.endpoint, path_params=params)
        await self._webhook_stack(scope, receive, send)


def _webhook_route(scope: Scope) -> tuple[ReceiverRoute, dict[str, Any]] | None:
    """The receiver's route a POST is for, and its path parameters; ``None`` for anything
    else (the whole stack answers it)."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    path: str = scope["path"]
    if not path.startswith(WEBHOOK_PREFIX):
        return None
    tail = path[len(API_PREFIX) :]
    for route in receiver_router.routes:
        assert isinstance(route, ReceiverRoute)
        match = route.path_regex.match(tail)
        if match is not None:
            convert = route.param_convertors
            params = {
                name: convert[name].convert(value) for name, value in match.groupdict().items()
            }
            return route, params
    return None


async def _call_route(scope: Scope, receive: Receive, send: Send) -> None:
    await scope["route"].lean_app(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The whole application."""
    settings = settings or get_settings()
    configure_logging(settings.log_format, settings.log_level, cache=settings.environment != "test")
    configure_password_hashing(settings.environment)
    app = EvodashApp(
        title="evodash",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # The docs pages are evodash's own (core/docs.py): their assets are served locally.
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL if settings.docs_enabled else None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_openapi(app)
    if settings.docs_enabled:
        install_docs(app)
    app.include_router(health_router)
    app.include_router(monitoring_router)
    for router in DOMAIN_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.state.route_templates = route_templates()
    app.include_router(realtime_router)
    _mount_spa(app, settings.frontend_dist, settings.session_cookie_name)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(
        BodySizeLimitMiddleware,
        default_limit=settings.max_request_body_bytes,
        limits=[
            ("/api/webhooks/", settings.webhook_max_body_bytes),
            ("/api/backups/import", BACKUP_MAX_BYTES),
        ],
    )
    app.add_middleware(RequestContextMiddleware)
    return app
