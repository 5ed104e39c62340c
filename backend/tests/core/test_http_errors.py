"""Wrong methods, unknown routes and bugs answer with the app's error body, over real HTTP
where the connection matters."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from fastapi import FastAPI

from tests.live import serve


class TestWrongMethod:
    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("GET", "/api/auth/login", "POST"),
            ("DELETE", "/api/instances", "GET, POST"),
            ("PATCH", "/api/instances/import", "POST"),
            ("PUT", "/api/instances/sync", "POST"),
            ("OPTIONS", "/api/servers/1", "DELETE, GET, PATCH"),
            ("POST", "/api/stats/overview", "GET"),
            ("GET", "/api/webhooks/evolution/1", "POST"),
        ],
    )
    async def test_is_405_with_every_allowed_method(
        self, client: httpx.AsyncClient, method: str, path: str, allow: str
    ) -> None:
        response = await client.request(method, path)
        assert response.status_code == 405, response.text
        assert response.headers["Allow"] == allow
        body = response.json()
        assert body["error"] == "method_not_allowed"
        assert method in body["detail"] and path in body["detail"]

    @pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
    async def test_no_route_at_all_is_404(self, client: httpx.AsyncClient, method: str) -> None:
        response = await client.request(method, "/api/no-such-thing")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, dict[str, str], bytes]:
    writer.write(request)
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers["content-length"]))
    return status, headers, body


class TestServerError:
    async def test_a_500_keeps_the_connection_open(self, app: FastAPI) -> None:
        async def boom() -> None:
            raise RuntimeError("a bug")

        app.add_api_route("/api/test-boom", boom, methods=["POST"])
        async with serve(app) as server:
            reader, writer = await asyncio.open_connection(server.host, server.port)
            try:
                status, headers, body = await _exchange(
                    reader,
                    writer,
                    b"POST /api/test-boom HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
                )
                assert status == 500
                assert json.loads(body)["error"] == "internal_error"
                assert headers.get("connection", "").lower() != "close"
                # The same connection serves the next request.
                status, _, body = await _exchange(
                    reader, writer, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                )
                assert status == 200
                assert json.loads(body)["status"] == "ok"
            finally:
                writer.close()
