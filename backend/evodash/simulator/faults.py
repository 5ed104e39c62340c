"""Fault injection (``POST /_sim/faults``) as an ASGI middleware in front of the routes."""

from __future__ import annotations

import asyncio
import fnmatch
import json
from typing import Any

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from evodash.simulator.errors import EvolutionError
from evodash.simulator.state import Fault, SimulatorState

logger = structlog.get_logger(__name__)

GARBAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def _take(state: SimulatorState, method: str, path: str) -> Fault | None:
    for fault in state.faults:
        if fault.method and fault.method.upper() != method:
            continue
        if not fnmatch.fnmatchcase(path, fault.route):
            continue
        fault.hits += 1
        if fault.times is not None and fault.hits >= fault.times:
            state.faults.remove(fault)
        return fault
    return None


async def _respond(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _wait_for_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


class FaultMiddleware:
    def __init__(self, app: ASGIApp, state: SimulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/_sim") or not self.state.faults:
            await self.app(scope, receive, send)
            return
        fault = _take(self.state, scope["method"], path)
        if fault is None:
            await self.app(scope, receive, send)
            return
        logger.info("simulator.fault", route=fault.route, path=path, fault_id=fault.id)
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        if fault.hang:
            await _wait_for_disconnect(receive)
            return
        if fault.garbage:
            await _respond(send, fault.status or 200, GARBAGE, b"text/html")
            return
        if fault.status is not None:
            body: Any = fault.body
            if body is None:
                body = EvolutionError(fault.status, ["Simulated fault"]).body()
            payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            await _respond(send, fault.status, payload, b"application/json; charset=utf-8")
            return
        await self.app(scope, receive, send)
