"""The shared outbound HTTP client, owned by the app's lifespan."""

from __future__ import annotations

import functools
import itertools
import math
import ssl

import httpx

from evodash.core.config import Settings

MAX_CONNECTIONS = 200
MAX_KEEPALIVE_CONNECTIONS = 50
#: Connection pools the requests are spread over (see :class:`ShardedTransport`).
POOL_SHARDS = 4


@functools.cache
def default_tls() -> ssl.SSLContext:
    """The process's TLS context for outbound calls, built at the first use: loading the
    CA bundle costs about 40 ms of CPU, and a process that builds several apps (the tests,
    ``evodash demo``) would pay it for each."""
    return httpx.create_ssl_context()


class ShardedTransport(httpx.AsyncBaseTransport):
    """Requests spread round-robin over a few smaller connection pools.

    httpcore's pool looks at every connection for every waiting request each time it
    assigns one, so its cost grows with requests x connections. With ~50 calls in flight
    to one Evolution server (a bulk sync) that loop dominated: 8 ms of CPU per call instead
    of 1, and a 500-instance sync four times slower than the server allowed (measured in
    ``bench/status_sync.py``; upstream: encode/httpx#3215). Four pools of a quarter of the
    size each do a sixteenth of that work, and keep-alive still holds within each pool.
    """

    def __init__(
        self,
        *,
        shards: int = POOL_SHARDS,
        max_connections: int = MAX_CONNECTIONS,
        max_keepalive_connections: int = MAX_KEEPALIVE_CONNECTIONS,
    ) -> None:
        limits = httpx.Limits(
            max_connections=math.ceil(max_connections / shards),
            max_keepalive_connections=math.ceil(max_keepalive_connections / shards),
        )
        self.pools = [
            httpx.AsyncHTTPTransport(limits=limits, verify=default_tls()) for _ in range(shards)
        ]
        self._next = itertools.cycle(self.pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


def create_http_client(settings: Settings) -> httpx.AsyncClient:
    """The app's outbound client."""
    timeout = httpx.Timeout(
        settings.evolution_timeout_seconds, connect=settings.evolution_connect_timeout_seconds
    )
    return httpx.AsyncClient(
        timeout=timeout,
        transport=ShardedTransport(),
        follow_redirects=False,
        headers={"User-Agent": "evodash/0.1"},
    )
