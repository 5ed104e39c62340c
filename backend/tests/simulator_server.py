"""Real HTTP servers on loopback for tests, each with its own event loop.

- :func:`serve_in_process` runs a server in a separate Python process (its own GIL, like
  a real Evolution server: a busy test cannot slow it down); :func:`serve_in_thread`
  runs any ASGI app with uvicorn in a background thread of this process;
- :class:`RunningSimulator` is the Evolution simulator served that way
  (:func:`simulator_in_process`, :func:`simulator_in_thread`), with helpers for its
  ``/_sim`` control API. The ``running_simulator`` fixture (import it, with
  ``simulator_process``, into a package's conftest) yields one, emptied for each test;
- :class:`DelayedEvolution` is a tiny Evolution stand-in that answers every call after a
  fixed delay and counts how many calls it serves at once (``GET /_stats``): for timing
  the status sync, served by :func:`delayed_evolution_process`.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from evodash.simulator import RetryPolicy, create_simulator_app
from tests import loopback

SIM_API_KEY = "sim-global-key-0123456789"
#: Webhook deliveries of the simulator are tried once, quickly (nothing listens in tests).
SIM_RETRY = RetryPolicy(max_attempts=1, initial_delay=0.0, timeout=1.0)


@contextmanager
def serve_in_thread(app: ASGIApp, *, lifespan: str = "on") -> Iterator[str]:
    """Serve ``app`` on ``http://127.0.0.1:<free port>`` until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan=lifespan, log_config=None, access_log=False, timeout_keep_alive=30
    )
    server = uvicorn.Server(config)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    for _ in range(1000):
        if server.started or errors or not thread.is_alive():
            break
        threading.Event().wait(0.01)
    if not server.started:
        raise RuntimeError(f"the test server did not start: {errors!r}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class RunningSimulator:
    """The Evolution simulator over real HTTP, and its control API."""

    base_url: str
    api_key: str

    def _client(self) -> httpx.AsyncClient:
        return loopback.client(base_url=self.base_url, headers={"apikey": self.api_key}, timeout=10)

    async def request(self, method: str, path: str, json_body: Any = None) -> Any:
        async with self._client() as client:
            response = await client.request(method, path, json=json_body)
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    async def reset(self) -> None:
        await self.request("POST", "/_sim/reset")

    async def state(self) -> dict[str, Any]:
        data: dict[str, Any] = await self.request("GET", "/_sim/state")
        return data

    async def instance(self, name: str) -> dict[str, Any] | None:
        """The simulator's summary of instance ``name`` (state, token, QR, webhook…)."""
        instances: list[dict[str, Any]] = (await self.state())["instances"]
        return next((i for i in instances if i["name"] == name), None)

    async def names(self) -> set[str]:
        return {i["name"] for i in (await self.state())["instances"]}

    async def scan(self, name: str, number: str = "5511987654321") -> None:
        await self.request(
            "POST", f"/_sim/instances/{name}/scan", {"number": number, "profileName": "Acme"}
        )

    async def fault(self, **rule: Any) -> None:
        await self.request("POST", "/_sim/faults", rule)

    async def faults(self) -> list[dict[str, Any]]:
        """The active fault rules, with how many requests each one caught (``hits``)."""
        data: list[dict[str, Any]] = await self.request("GET", "/_sim/faults")
        return data

    async def whatsapp(self, *, reachable: bool) -> None:
        await self.request("POST", "/_sim/whatsapp", {"reachable": reachable})

    async def create_instance(self, name: str, **extra: Any) -> dict[str, Any]:
        body = {"instanceName": name, "integration": "WHATSAPP-BAILEYS", **extra}
        data: dict[str, Any] = await self.request("POST", "/instance/create", body)
        return data

    async def webhook(self, name: str) -> dict[str, Any] | None:
        data: dict[str, Any] | None = await self.request("GET", f"/webhook/find/{name}")
        return data


@contextmanager
def simulator_in_thread(api_key: str = SIM_API_KEY) -> Iterator[RunningSimulator]:
    """The simulator served from a thread of this process."""
    app = create_simulator_app(
        api_key=api_key, retry=SIM_RETRY, receipt_delay=None, reconnect_delay=0.05
    )
    with serve_in_thread(app) as url:
        yield RunningSimulator(url, api_key)


@contextmanager
def simulator_in_process(api_key: str = SIM_API_KEY) -> Iterator[RunningSimulator]:
    """The simulator served from a separate process: its own interpreter and GIL, like a
    real Evolution server, so a busy test never slows it down."""
    code = (
        "import uvicorn\n"
        "from evodash.simulator import RetryPolicy, create_simulator_app\n"
        f"app = create_simulator_app(api_key={api_key!r}, receipt_delay=None, "
        "reconnect_delay=0.05, retry=RetryPolicy(max_attempts=1, initial_delay=0.0, "
        "timeout=1.0))\n"
        "uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', "
        "access_log=False, timeout_keep_alive=30)\n"
    )
    with serve_in_process(code) as url:
        yield RunningSimulator(url, api_key)


class DelayedEvolution:
    """Answers ``connectionState`` (open), ``webhook/find`` (null) and ``fetchInstances``
    (``[]``) after ``delay`` seconds each, and ``GET /_stats`` at once: how many calls it
    served per route, and the most it served at the same time."""

    def __init__(self, delay: float = 0.1) -> None:
        self.delay = delay
        self.calls: dict[str, int] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}

    def _enter(self, route: str) -> None:
        self.calls[route] = self.calls.get(route, 0) + 1
        now = self.in_flight.get(route, 0) + 1
        self.in_flight[route] = now
        self.max_in_flight[route] = max(self.max_in_flight.get(route, 0), now)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path == "/_stats":
            stats = {"calls": self.calls, "max_in_flight": self.max_in_flight}
            if scope["method"] == "DELETE":
                self.calls, self.max_in_flight = {}, {}
            await _send_json(send, 200, stats)
            return
        route, _, name = path.lstrip("/").rpartition("/")
        self._enter(route)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight[route] -= 1
        if route == "instance/connectionState":
            await _send_json(
                send, 200, {"instance": {"instanceName": unquote(name), "state": "open"}}
            )
        elif route == "webhook/find":
            await _send_json(send, 200, None)
        elif path == "/instance/fetchInstances":
            await _send_json(send, 200, [])
        else:
            body = {"status": 404, "error": "Not Found", "response": {"message": ["nope"]}}
            await _send_json(send, 404, body)


async def _send_json(send: Any, status: int, body: Any) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


@contextmanager
def serve_in_process(code: str) -> Iterator[str]:
    """Run ``code`` (which serves on ``{port}``) in a new Python process; yield its URL."""
    port = int(closed_port_url().rsplit(":", 1)[1])
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([sys.executable, "-c", code.replace("{port}", str(port))], cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            if process.poll() is not None:
                raise RuntimeError(f"the test server exited with {process.returncode}")
            try:
                loopback.request("GET", f"{url}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the test server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def delayed_evolution_process(delay: float = 0.1) -> Iterator[str]:
    """Serve :class:`DelayedEvolution` from a separate process (its own interpreter, so
    its CPU work never competes with the test's for the GIL); yields its base URL."""
    code = (
        "import uvicorn\n"
        "from tests.simulator_server import DelayedEvolution\n"
        f"uvicorn.run(DelayedEvolution({delay!r}), host='127.0.0.1', port={{port}}, "
        "lifespan='off', log_level='warning', access_log=False)\n"
    )
    with serve_in_process(code) as url:
        yield url


# --- fixtures (imported by the conftest of each package that uses them) -----------------------


@pytest.fixture(scope="session")
def simulator_process() -> Iterator[RunningSimulator]:
    with simulator_in_process() as sim:
        yield sim


@pytest.fixture
async def running_simulator(simulator_process: RunningSimulator) -> RunningSimulator:
    """The simulator over real HTTP (base URL + global key), emptied for this test."""
    await simulator_process.reset()
    return simulator_process
