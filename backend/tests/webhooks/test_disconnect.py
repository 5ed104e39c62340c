"""A sender that hangs up in the middle of a body (load generators do it at the end of every
run) is one log line, not an ASGI traceback; nothing is stored."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.webhooks import SECRET_HEADER
from tests.live import LiveServer, serve
from tests.webhooks.support import InstanceFactory, events


@pytest.fixture
async def live(app: FastAPI) -> AsyncIterator[LiveServer]:
    async with serve(app) as server:
        yield server


def _lines(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if name in str(r.msg)]


async def test_a_body_cut_short_is_one_log_line(
    live: LiveServer,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hooked = await instances.create("acme-support")
    head = (
        f"POST {hooked.url} HTTP/1.1\r\nHost: {live.host}:{live.port}\r\n"
        f"Content-Type: application/json\r\n{SECRET_HEADER}: {hooked.secret}\r\n"
        "Content-Length: 5000\r\n\r\n"
    )
    with caplog.at_level(logging.INFO):
        _, writer = await asyncio.open_connection(live.host, live.port)
        writer.write(head.encode() + b'{"event": "messages.upsert", "instance": "acme')
        await writer.drain()
        await asyncio.sleep(0.05)  # the server is reading the body now
        writer.close()
        await writer.wait_closed()
        async with asyncio.timeout(5):
            while True:
                if _lines(caplog, "request.client_disconnected"):
                    break
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # anything it would log after that
    [line] = _lines(caplog, "request.client_disconnected")
    assert line.exc_info is None
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not _lines(caplog, "Exception in ASGI application")
    assert await events(db) == []
