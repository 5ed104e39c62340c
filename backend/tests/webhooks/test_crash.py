"""Kill the server with SIGKILL in the middle of a load: after a restart, every event it
acknowledged is applied, exactly once (nothing lost, nothing applied twice).

A real ``evodash run`` process on the test database, driven over HTTP by 16 concurrent
senders; it is killed after a few hundred acknowledgements, while it is receiving and
applying, then started again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.messages.models import WhatsAppMessage
from evodash.webhooks import SECRET_HEADER
from evodash.webhooks.models import WebhookEvent
from tests import loopback
from tests.conftest import TEST_SECRET
from tests.webhooks.support import Hooked, InstanceFactory, text_message

pytestmark = [pytest.mark.slow, pytest.mark.commits]
KILL_AFTER = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _server(database_url: str, workdir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "DATA_DIR": str(workdir / "data"),
        "MEDIA_ROOT": str(workdir / "media"),
        "FRONTEND_DIST": str(workdir / "no-dist"),
        "BOOTSTRAP_ADMIN": "false",
        "EMBEDDED_WORKER": "false",
        "STATUS_SYNC_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    argv = [sys.executable, "-m", "evodash.cli", "run", "--no-migrate", "--port", str(port)]
    process = subprocess.Popen(argv, cwd=workdir, env=env)
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _up(url: str, process: subprocess.Popen[bytes]) -> None:
    async with loopback.client(timeout=1) as http, asyncio.timeout(60):
        while True:
            assert process.poll() is None, "the server exited"
            try:
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)


async def _load(url: str, hooked: Hooked, process: subprocess.Popen[bytes]) -> dict[str, int]:
    """Post new messages from 16 senders; kill the server after KILL_AFTER answers 200.
    Returns the message ids answered 200 and their inbox event ids."""
    acked: dict[str, int] = {}
    counter = iter(range(1_000_000))
    headers = {SECRET_HEADER: hooked.secret}

    async def sender(http: httpx.AsyncClient) -> None:
        while process.poll() is None:
            message_id = f"KILL{next(counter):06d}"
            try:
                response = await http.post(
                    f"{url}{hooked.url}", json=text_message(message_id), headers=headers
                )
            except httpx.HTTPError:
                continue  # killed meanwhile: this one was never acknowledged
            if response.status_code == 200:
                acked[message_id] = response.json()["event_id"]
                if len(acked) >= KILL_AFTER and process.poll() is None:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()

    async with loopback.client(timeout=5) as http, asyncio.timeout(120):
        await asyncio.gather(*(sender(http) for _ in range(16)))
    return acked


async def _waiting(db: async_sessionmaker[AsyncSession]) -> int:
    async with db() as session:
        count = await session.scalar(
            select(func.count()).select_from(WebhookEvent).where(WebhookEvent.status == "received")
        )
    return int(count or 0)


async def test_sigkill_mid_load_then_restart_applies_every_acknowledged_event_once(
    database_url: str,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    hooked = await instances.create("acme-support")
    with _server(database_url, tmp_path) as (process, url):
        await _up(url, process)
        acked = await _load(url, hooked, process)
    assert process.returncode == -signal.SIGKILL
    assert len(acked) >= KILL_AFTER

    with _server(database_url, tmp_path) as (process, url):
        await _up(url, process)
        async with asyncio.timeout(60):
            while True:
                if not await _waiting(db):
                    break
                await asyncio.sleep(0.05)

    async with db() as session:
        stored = (
            await session.execute(
                select(WhatsAppMessage.message_id, func.count())
                .where(WhatsAppMessage.instance_id == hooked.id)
                .group_by(WhatsAppMessage.message_id)
            )
        ).all()
        inbox = {
            row.id: (row.status, row.attempts)
            for row in (
                await session.execute(
                    select(WebhookEvent.id, WebhookEvent.status, WebhookEvent.attempts)
                )
            ).all()
        }
    counts = dict(stored)
    assert all(counts.get(m) == 1 for m in acked), "an acknowledged message is missing"
    assert set(counts.values()) == {1}
    for event_id in acked.values():
        assert inbox[event_id] == ("processed", 1), (event_id, inbox[event_id])
