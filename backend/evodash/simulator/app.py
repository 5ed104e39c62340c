"""``create_simulator_app``: the FastAPI application of the simulated Evolution API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from evodash.simulator import control, router
from evodash.simulator.config import RetryPolicy, SimulatorConfig
from evodash.simulator.errors import (
    EvolutionError,
    EvolutionJSONResponse,
    RawEvolutionError,
    route_not_found,
)
from evodash.simulator.faults import FaultMiddleware
from evodash.simulator.service import Simulator

logger = structlog.get_logger(__name__)

DESCRIPTION = """A faithful fake of Evolution API 2.3.6 (WhatsApp, Baileys) for demos and tests.

The `evolution` routes answer like the real server (status codes, bodies, error envelopes,
guard order). The `simulator control` routes under `/_sim` play the WhatsApp side: scan a
QR code, drop the connection, receive messages and invoice images, inject faults. Every
route except `GET /` needs the global key in the `apikey` header.
"""


async def _evolution_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, EvolutionError)
    return EvolutionJSONResponse(exc.body(), status_code=exc.status)


async def _raw_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RawEvolutionError)
    return EvolutionJSONResponse(exc.body, status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (404, 405):
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        error = route_not_found(request.method, raw_path.decode("latin-1").split("?")[0])
    else:
        error = EvolutionError(exc.status_code, str(exc.detail))
    return EvolutionJSONResponse(error.body(), status_code=error.status)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("simulator.unhandled", path=request.url.path)
    error = EvolutionError(500, str(exc) or type(exc).__name__)
    return EvolutionJSONResponse(error.body(), status_code=500)


def get_simulator(app: FastAPI) -> Simulator:
    """The :class:`Simulator` behind an app made by :func:`create_simulator_app`."""
    sim: Simulator = app.state.simulator
    return sim


def create_simulator_app(
    *,
    api_key: str,
    public_url: str | None = None,
    client_name: str = "evolution_exchange",
    webhook_client: httpx.AsyncClient | None = None,
    retry: RetryPolicy | None = None,
    qr_interval: float = 45.0,
    qr_limit: int = 30,
    connect_wait: float = 0.0,
    offline_reconnect_interval: float = 5.0,
    reconnect_delay: float = 0.5,
    receipt_delay: float | None = 1.0,
    expose_token_in_webhooks: bool = True,
    whatsapp_reachable: bool = True,
) -> FastAPI:
    """Build the simulator. Its state is in memory, owned by the returned app.

    ``webhook_client`` is used for webhook deliveries (the simulator makes and closes its
    own when ``None``). ``retry`` sets the webhook retry policy: tests pass tiny delays.
    ``whatsapp_reachable=False`` reproduces the offline server of ``recorded/``.
    """
    config = SimulatorConfig(
        api_key=api_key,
        public_url=public_url,
        client_name=client_name,
        expose_token_in_webhooks=expose_token_in_webhooks,
        retry=retry or RetryPolicy(),
        qr_interval=qr_interval,
        qr_limit=qr_limit,
        connect_wait=connect_wait,
        offline_reconnect_interval=offline_reconnect_interval,
        reconnect_delay=reconnect_delay,
        receipt_delay=receipt_delay,
        whatsapp_reachable=whatsapp_reachable,
    )
    sim = Simulator(config, webhook_client)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        logger.info("simulator.started", client_name=client_name, public_url=public_url)
        yield
        await sim.aclose()

    app = FastAPI(
        title="Evolution API simulator",
        version="2.3.6-sim",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.simulator = sim
    app.include_router(router.router)
    app.include_router(control.sink_router)
    app.include_router(control.router)
    app.add_exception_handler(EvolutionError, _evolution_error)
    app.add_exception_handler(RawEvolutionError, _raw_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(FaultMiddleware, state=sim.state)
    return app
