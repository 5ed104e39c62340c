"""Serve an ASGI app with uvicorn on a free loopback port inside the test's event loop.

For tests that need real HTTP or WebSockets (browsers, the simulator's webhooks).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp


@dataclass
class LiveServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serve(
    app: ASGIApp, *, lifespan: str = "off", port: int | None = None
) -> AsyncIterator[LiveServer]:
    """Run ``app`` until the block ends. The app's lifespan is assumed to be managed by
    the caller (the ``app`` fixture) unless ``lifespan="on"``."""
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan=lifespan,
        log_config=None,
        access_log=False,
        ws_ping_interval=None,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield LiveServer("127.0.0.1", port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
