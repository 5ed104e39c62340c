"""Helpers of the recovery flows: evodash and the simulator over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import WhatsAppMessage
from evodash.recovery.models import RecoveryRun
from evodash.webhooks.models import EventStatus, WebhookEvent
from tests import loopback
from tests.conftest import AppRunner
from tests.instances.helpers import register_server
from tests.live import serve
from tests.simulator_server import RunningSimulator

T = TypeVar("T")
ALLOWED = "5521998765432"
OTHER = "5531988887777"


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, within: float = 60.0, every: float = 0.1
) -> T:
    """The first truthy result of ``check``, polled until ``within`` seconds passed."""
    async with asyncio.timeout(within):
        while True:
            result = await check()
            if result:
                return result
            await asyncio.sleep(every)


@asynccontextmanager
async def evodash(
    run_app: AppRunner, settings: Settings, port: int
) -> AsyncIterator[httpx.AsyncClient]:
    """evodash running (lifespan, background work) and served on ``port``: a client."""
    async with (
        run_app(settings) as app,
        serve(app, port=port) as live,
        loopback.client(base_url=live.url, timeout=30) as api,
    ):
        yield api


async def open_instance(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    simulator: RunningSimulator,
    name: str = "acme",
) -> dict[str, Any]:
    """Register the simulator, create an instance, connect it and scan: it is ``open``."""
    server = await register_server(api, headers, simulator.base_url, simulator.api_key, "sim")
    body = {"display_name": name.title(), "name": name, "server_id": server["id"]}
    created = await api.post("/api/instances", json=body, headers=headers)
    assert created.status_code == 201, created.text
    instance: dict[str, Any] = created.json()
    connected = await api.post(f"/api/instances/{instance['id']}/connect", headers=headers)
    assert connected.status_code == 200, connected.text
    await simulator.scan(name)

    async def is_open() -> dict[str, Any] | None:
        read = (await api.get(f"/api/instances/{instance['id']}", headers=headers)).json()
        return read if read["status"] == "open" else None

    try:
        return await eventually(is_open, within=30)
    except TimeoutError:
        raise AssertionError(f"never open: {(await simulator.state())['deliveries']}") from None


async def send(simulator: RunningSimulator, name: str, sender: str, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = await simulator.request(
        "POST", f"/_sim/instances/{name}/messages", {"from": sender, **body}
    )
    return data


async def runs(db: async_sessionmaker[AsyncSession], instance_id: int) -> list[RecoveryRun]:
    async with db() as session:
        stmt = (
            select(RecoveryRun)
            .where(RecoveryRun.instance_id == instance_id)
            .order_by(RecoveryRun.id)
        )
        return list((await session.scalars(stmt)).all())


async def counts(db: async_sessionmaker[AsyncSession], instance_id: int) -> dict[str, int]:
    """Messages (rows and distinct ids), image jobs, and inbox events not applied yet."""
    async with db() as session:
        m, j, e = WhatsAppMessage, ImageProcessingJob, WebhookEvent
        rows = await session.scalar(select(func.count()).where(m.instance_id == instance_id))
        distinct = await session.scalar(
            select(func.count(m.message_id.distinct())).where(m.instance_id == instance_id)
        )
        jobs = await session.scalar(select(func.count()).where(j.instance_id == instance_id))
        jobs_distinct = await session.scalar(
            select(func.count(j.message_id.distinct())).where(j.instance_id == instance_id)
        )
        waiting = await session.scalar(
            select(func.count()).where(
                e.instance_id == instance_id, e.status == EventStatus.received.value
            )
        )
    return {
        "messages": int(rows or 0),
        "distinct": int(distinct or 0),
        "jobs": int(jobs or 0),
        "jobs_distinct": int(jobs_distinct or 0),
        "waiting": int(waiting or 0),
    }
