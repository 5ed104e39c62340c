"""Fixtures of the security regression tests: the app served by uvicorn on loopback, and
clients that come from distinct loopback addresses (127.0.0.2, 127.0.0.3, ...), so that
per-address throttling sees an attacker and a user as the different machines they are."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from tests import loopback
from tests.factories import UserFactory
from tests.live import LiveServer, serve

HeadersFor = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
async def live(app: FastAPI) -> AsyncIterator[LiveServer]:
    async with serve(app) as server:
        yield server


def client_from(
    live: LiveServer, address: str = "127.0.0.1", **kwargs: object
) -> httpx.AsyncClient:
    """An HTTP client whose connections come from ``address`` (any of 127.0.0.0/8)."""
    transport = httpx.AsyncHTTPTransport(
        local_address=address, limits=httpx.Limits(max_connections=100), verify=loopback.TLS
    )
    return loopback.client(base_url=live.url, transport=transport, timeout=60, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def admin_headers(users: UserFactory, as_user: HeadersFor) -> dict[str, str]:
    return await as_user(await users.admin())


@pytest.fixture
async def operator_headers(users: UserFactory, as_user: HeadersFor) -> dict[str, str]:
    return await as_user(await users.operator())


@pytest.fixture
async def viewer_headers(users: UserFactory, as_user: HeadersFor) -> dict[str, str]:
    return await as_user(await users.viewer())
