"""Fixtures for the simulator tests: the app over ASGI, a webhook receiver, live servers."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from evodash.simulator import RetryPolicy, create_simulator_app, get_simulator
from evodash.simulator.service import Simulator
from tests import live, loopback
from tests.fixtures import EVOLUTION_FIXTURES

GLOBAL_KEY = "some-test-key"
GLOBAL = {"apikey": GLOBAL_KEY}
BASE_URL = "http://127.0.0.1:8081"
FAST_RETRY = RetryPolicy(max_attempts=4, initial_delay=0.02, max_delay=0.1, timeout=5)


def evolution_dir() -> Path:
    return EVOLUTION_FIXTURES


def load_json(relative: str) -> Any:
    return json.loads((evolution_dir() / relative).read_text(encoding="utf-8"))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw_headers: list[tuple[str, str]]
    body: Any
    status: int


class Receiver:
    """A webhook listener that records every POST and answers scripted statuses."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.script: dict[str, deque[int]] = defaultdict(deque)
        self.delay = 0.0
        #: While cleared, every delivery waits at the door (a receiver that hangs).
        self.gate = asyncio.Event()
        self.gate.set()
        self.waiting = 0
        self._changed = asyncio.Event()
        self.app = FastAPI()
        self.app.add_api_route("/{path:path}", self._handle, methods=["POST"])

    async def _handle(self, request: Request, path: str) -> JSONResponse:
        if self.delay:
            await asyncio.sleep(self.delay)
        if not self.gate.is_set():
            self.waiting += 1
            self._changed.set()
            await self.gate.wait()
        queue = self.script.get("/" + path)
        status = queue.popleft() if queue else 200
        self.requests.append(
            Received(
                path="/" + path,
                headers={k.lower(): v for k, v in request.headers.items()},
                raw_headers=[(k.decode(), v.decode()) for k, v in request.headers.raw],
                body=json.loads(await request.body()),
                status=status,
            )
        )
        self._changed.set()
        return JSONResponse({"ok": status < 300}, status_code=status)

    def events(self, name: str | None = None) -> list[Received]:
        return [r for r in self.requests if name is None or r.body.get("event") == name]

    async def wait_for(
        self, predicate: Callable[[list[Received]], bool], within: float = 5.0
    ) -> list[Received]:
        async with asyncio.timeout(within):
            while not predicate(self.requests):
                self._changed.clear()
                await self._changed.wait()
        return self.requests

    async def wait_event(self, name: str, count: int = 1, within: float = 5.0) -> list[Received]:
        await self.wait_for(lambda _: len(self.events(name)) >= count, within)
        return self.events(name)


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Run ``app`` (its lifespan included) on a free loopback port; its base URL. The
    suite's one in-process uvicorn (:func:`tests.live.serve`): it leaves the process's
    logging as the app set it (``log_level="warning"`` here once left uvicorn's loggers at
    WARNING for every later test of the worker)."""
    async with live.serve(app, lifespan="on") as server:
        yield server.url


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
async def receiver_client(receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client whose requests land in ``receiver`` (no sockets)."""
    transport = httpx.ASGITransport(app=receiver.app)
    async with loopback.client(transport=transport) as client:
        yield client


SimFactory = Callable[..., FastAPI]


@pytest.fixture
async def make_sim(receiver_client: httpx.AsyncClient) -> AsyncIterator[SimFactory]:
    """Build simulator apps whose webhooks go to the ``receiver`` (closed afterwards)."""
    apps: list[FastAPI] = []

    def factory(**options: Any) -> FastAPI:
        options.setdefault("api_key", GLOBAL_KEY)
        options.setdefault("public_url", BASE_URL)
        options.setdefault("webhook_client", receiver_client)
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("receipt_delay", 0.01)
        app = create_simulator_app(**options)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        await get_simulator(app).aclose()


@pytest.fixture
def sim_app(make_sim: SimFactory) -> FastAPI:
    return make_sim()


@pytest.fixture
def sim(sim_app: FastAPI) -> Simulator:
    return get_simulator(sim_app)


@pytest.fixture
async def evo(sim_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the simulator (ASGI transport, base URL of the recordings)."""
    transport = httpx.ASGITransport(app=sim_app)
    async with loopback.client(transport=transport, base_url=BASE_URL) as client:
        yield client


HOOK_URL = "http://receiver.test/hook"


async def create_instance(
    client: httpx.AsyncClient, name: str, *, webhook: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"instanceName": name, "integration": "WHATSAPP-BAILEYS", **extra}
    if webhook is not None:
        body["webhook"] = webhook
    response = await client.post("/instance/create", json=body, headers=GLOBAL)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def all_events_hook(url: str = HOOK_URL, **extra: Any) -> dict[str, Any]:
    return {"url": url, "byEvents": False, "base64": False, "events": [], **extra}


async def connect_and_scan(
    client: httpx.AsyncClient, name: str, number: str = "5511987654321"
) -> dict[str, Any]:
    response = await client.get(f"/instance/connect/{name}", headers=GLOBAL)
    assert response.status_code == 200, response.text
    scanned = await client.post(
        f"/_sim/instances/{name}/scan",
        json={"number": number, "profileName": "Acme Support"},
        headers=GLOBAL,
    )
    assert scanned.status_code == 200, scanned.text
    data: dict[str, Any] = response.json()
    return data


VOLATILE_KEYS = frozenset(
    {
        "id",
        "instanceId",
        "hash",
        "token",
        "apikey",
        "createdAt",
        "updatedAt",
        "date_time",
        "disconnectionAt",
        "disconnectionObject",
        "destination",
        "Message",
        "Contact",
        "Chat",
        "messageTimestamp",
        "keyId",
        "messageId",
    }
)


def assert_same_shape(actual: Any, expected: Any, path: str = "$", *, exact: bool = True) -> None:
    """Same keys (in the same order), same value types, same list nesting; equal values
    too where ``exact`` and the key is not an id, token, timestamp or count."""
    if isinstance(expected, dict) and expected and all(k.isdigit() for k in expected):
        # A 2.3.6 byte blob ({"0": 12, "1": 250, ...}): its length is content, not shape.
        assert isinstance(actual, dict), f"{path}: expected a byte object, got {actual!r}"
        assert list(actual) == [str(i) for i in range(len(actual))], f"{path}: not bytes"
        assert all(isinstance(v, int) and 0 <= v < 256 for v in actual.values()), path
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        assert list(actual) == list(expected), f"{path}: keys {list(actual)} != {list(expected)}"
        for key, value in expected.items():
            sub_exact = exact and key not in VOLATILE_KEYS
            assert_same_shape(actual[key], value, f"{path}.{key}", exact=sub_exact)
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        if exact or not expected:
            assert len(actual) == len(expected), f"{path}: {len(actual)} != {len(expected)} items"
        if expected:
            for index, item in enumerate(actual):
                model = expected[index] if index < len(expected) else expected[0]
                assert_same_shape(item, model, f"{path}[{index}]", exact=exact)
    else:
        assert type(actual) is type(expected), f"{path}: {actual!r} is not like {expected!r}"
        if exact:
            assert actual == expected, f"{path}: {actual!r} != {expected!r}"
