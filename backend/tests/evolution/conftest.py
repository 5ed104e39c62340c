"""Fixtures for the Evolution client tests: a respx router, a client, the Evolution fixtures.

No test here touches the network or the database: every exchange is mocked with respx.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from evodash.evolution import EvolutionClient
from tests import loopback
from tests.fixtures import EVOLUTION_FIXTURES

BASE_URL = "http://evolution.test:8080"
API_KEY = "some-test-key"


EVOLUTION_DIR = EVOLUTION_FIXTURES
RECORDED_DIR = EVOLUTION_DIR / "recorded"
RESPONSES_DIR = EVOLUTION_DIR / "responses"
REQUESTS_DIR = EVOLUTION_DIR / "requests"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def json_response(status: int, body: Any) -> httpx.Response:
    """An answer the way Express sends it (``null`` included)."""
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


class FakeSleep:
    """Records the backoff delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def evolution() -> Iterator[respx.MockRouter]:
    """The fake Evolution server; unmatched requests fail the test."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture(scope="session")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # One client like the app's shared one (building its SSL context is slow); respx
    # intercepts at the transport, so each test still gets its own fake server.
    async with loopback.client() as client:
        yield client


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def client(http: httpx.AsyncClient, fake_sleep: FakeSleep) -> EvolutionClient:
    return EvolutionClient(
        http,
        BASE_URL,
        API_KEY,
        timeout=15.0,
        connect_timeout=5.0,
        read_retries=2,
        retry_base_delay=0.5,
        sleep=fake_sleep,
    )
