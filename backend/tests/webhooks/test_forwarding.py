"""Forwarding to an instance's forward URL, with a real receiver on loopback HTTP."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.webhooks.forwarding import Forwarder
from evodash.webhooks.models import WebhookDelivery
from tests.live import free_port, serve
from tests.webhooks.support import ForwardJobs, InstanceFactory, post_event, text_message

# The forwarder runs in the app's background, on its own sessions: real commits.
pytestmark = pytest.mark.commits


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The receiver runs on loopback, which forwarding refuses by default (SSRF guard).
    return settings.model_copy(
        update={
            "background_tasks": True,
            "forward_allow_private_networks": True,
        }
    )


@dataclass
class Receiver:
    """Answers the scripted statuses (then 200) and records what it got."""

    statuses: deque[int] = field(default_factory=deque)
    received: list[tuple[dict[str, str], Any]] = field(default_factory=list)
    gate: asyncio.Event | None = None

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> JSONResponse:
            if self.gate is not None:
                await self.gate.wait()
            self.received.append(
                (
                    {k.lower(): v for k, v in request.headers.items()},
                    json.loads(await request.body()),
                )
            )
            status = self.statuses.popleft() if self.statuses else 200
            return JSONResponse({"ok": status < 300}, status_code=status)

        return app


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    recv = Receiver()
    async with serve(recv.app()) as live:
        yield recv, f"{live.url}/hook"


async def _deliveries(db: async_sessionmaker[AsyncSession]) -> list[WebhookDelivery]:
    async with db() as session:
        stmt = select(WebhookDelivery).order_by(WebhookDelivery.id)
        return list((await session.scalars(stmt)).all())


async def test_retries_with_backoff_until_success(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    receiver: tuple[Receiver, str],
    forwarding: ForwardJobs,
) -> None:
    recv, url = receiver
    recv.statuses.extend([500, 503])
    hooked = await instances.create("acme-support", forward_url=url)
    body = text_message("FWD1")
    response = await post_event(client, hooked, body)
    assert response.status_code == 200
    assert await forwarding.drain()

    attempts = await _deliveries(db)
    assert [(d.attempt, d.status, d.http_status) for d in attempts] == [
        (1, "failed", 500),
        (2, "failed", 503),
        (3, "succeeded", 200),
    ]
    assert all(d.latency_ms is not None and d.latency_ms >= 0 for d in attempts)
    assert attempts[0].next_retry_at is not None and attempts[1].next_retry_at is not None
    assert attempts[2].next_retry_at is None
    assert attempts[0].error == "HTTP 500"
    # The receiver got the event as received, without the instance token.
    headers, forwarded = recv.received[-1]
    assert len(recv.received) == 3
    assert forwarded == {k: v for k, v in body.items() if k != "apikey"}
    assert headers["x-evodash-event"] == "messages.upsert"
    assert headers["x-evodash-attempt"] == "3"


async def test_forwarding_never_delays_the_answer(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    receiver: tuple[Receiver, str],
    forwarding: ForwardJobs,
) -> None:
    recv, url = receiver
    recv.gate = asyncio.Event()  # the receiver hangs until released
    hooked = await instances.create(forward_url=url)
    response = await asyncio.wait_for(post_event(client, hooked, text_message("F")), 10)
    assert response.status_code == 200
    [pending] = await _deliveries(db)
    assert pending.status == "pending"
    recv.gate.set()
    assert await forwarding.drain()
    [done] = await _deliveries(db)
    assert done.status == "succeeded"


async def test_gives_up_then_retries_from_the_api(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    receiver: tuple[Receiver, str],
    forwarding: ForwardJobs,
    operator_headers: dict[str, str],
    viewer_headers: dict[str, str],
) -> None:
    app.state.settings.forward_max_attempts = 2
    recv, url = receiver
    recv.statuses.extend([500, 500])
    hooked = await instances.create(forward_url=url)
    await post_event(client, hooked, text_message("F"))
    assert await forwarding.drain()
    first, last = await _deliveries(db)
    assert (last.attempt, last.status, last.next_retry_at) == (2, "failed", None)

    listed = await client.get(
        "/api/webhooks/deliveries", params={"status": "failed"}, headers=viewer_headers
    )
    assert [d["id"] for d in listed.json()["items"]] == [last.id, first.id]
    # Their jobs are the queue's own work: the jobs API (image jobs) does not list them.
    jobs = await client.get("/api/jobs", headers=viewer_headers)
    assert (jobs.status_code, jobs.json()["total"]) == (200, 0)
    refused = await client.post(
        f"/api/webhooks/deliveries/{first.id}/retry", headers=operator_headers
    )
    assert refused.status_code == 409  # not the last attempt
    assert (
        await client.post(f"/api/webhooks/deliveries/{last.id}/retry", headers=viewer_headers)
    ).status_code == 403
    retried = await client.post(
        f"/api/webhooks/deliveries/{last.id}/retry", headers=operator_headers
    )
    assert retried.status_code == 202, retried.text
    assert retried.json()["attempt"] == 3
    assert await forwarding.drain()
    assert [d.status for d in await _deliveries(db)] == ["failed", "failed", "succeeded"]


async def test_unreachable_receiver_is_recorded(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    forwarding: ForwardJobs,
) -> None:
    app.state.settings.forward_max_attempts = 1
    hooked = await instances.create(forward_url=f"http://127.0.0.1:{free_port()}/hook")
    await post_event(client, hooked, text_message("F"))
    assert await forwarding.drain()
    [attempt] = await _deliveries(db)
    assert attempt.status == "failed" and attempt.http_status is None
    assert attempt.error and "Connect" in attempt.error


async def test_attempts_wait_in_the_queue_and_run_once_across_workers(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    receiver: tuple[Receiver, str],
) -> None:
    recv, url = receiver
    hooked = await instances.create(forward_url=url)
    # No worker runs (a restart, or all workers down): the attempt waits as a job.
    await post_event(client, hooked, text_message("F"))
    jobs = [ForwardJobs(app), ForwardJobs(app)]  # two worker processes
    assert await jobs[0].waiting() == 1
    await asyncio.gather(*(j.worker.start() for j in jobs))
    try:
        assert await jobs[0].drain()
    finally:
        await asyncio.gather(*(j.worker.stop(grace=5) for j in jobs))
    assert len(recv.received) == 1
    [done] = await _deliveries(db)
    assert done.status == "succeeded"


async def test_a_job_run_again_never_sends_its_attempt_twice(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    receiver: tuple[Receiver, str],
) -> None:
    recv, url = receiver
    hooked = await instances.create(forward_url=url)
    await post_event(client, hooked, text_message("F"))
    [delivery] = await _deliveries(db)
    # A worker's lease expired mid-attempt and another runs the job again: the attempt
    # is claimed by one of them only.
    forwarder = Forwarder(app.state.sessionmaker, app.state.http, app.state.settings)
    results = await asyncio.gather(forwarder.attempt(delivery.id), forwarder.attempt(delivery.id))
    assert sorted("skipped" in r for r in results) == [False, True]
    assert len(recv.received) == 1


async def test_instances_without_forward_url_forward_nothing(
    client: httpx.AsyncClient, instances: InstanceFactory, db: async_sessionmaker[AsyncSession]
) -> None:
    hooked = await instances.create()
    await post_event(client, hooked, text_message("F"))
    assert await _deliveries(db) == []
