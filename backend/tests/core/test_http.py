"""The shared outbound client: requests spread over several pools, connections reused."""

from __future__ import annotations

import asyncio
from typing import Any

from evodash.core.config import Settings
from evodash.core.http import POOL_SHARDS, ShardedTransport, create_http_client, default_tls
from tests.live import serve


class SlowApp:
    """Answers after 200 ms; remembers the client port of every request (one per TCP
    connection) and the most requests it served at once."""

    def __init__(self) -> None:
        self.ports: set[int] = set()
        self.in_flight = 0
        self.most_in_flight = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.ports.add(scope["client"][1])
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.2)
        finally:
            self.in_flight -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def test_concurrent_calls_spread_over_the_pools_and_reuse_connections() -> None:
    app = SlowApp()
    concurrency, rounds = 40, 3
    async with serve(app) as live, create_http_client(Settings(_env_file=None)) as http:
        transport = http._transport
        assert isinstance(transport, ShardedTransport)
        assert len(transport.pools) == POOL_SHARDS
        for _ in range(rounds):
            answers = await asyncio.gather(
                *(http.get(f"{live.url}/instance/connectionState/x") for _ in range(concurrency))
            )
            assert all(a.status_code == 200 for a in answers)
    assert app.most_in_flight > concurrency // 2  # not held back by the smaller pools
    # Keep-alive: the later rounds ride the connections the first one opened.
    assert len(app.ports) <= concurrency + POOL_SHARDS


async def test_every_client_of_the_process_shares_one_tls_context() -> None:
    settings = Settings(_env_file=None)
    async with create_http_client(settings) as first, create_http_client(settings) as second:
        contexts = {
            id(pool._pool._ssl_context)
            for client in (first, second)
            for pool in client._transport.pools  # type: ignore[attr-defined]
        }
    assert contexts == {id(default_tls())}
