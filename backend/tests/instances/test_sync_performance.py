"""Status sync speed: 200 instances against a real loopback server that answers each call
after 100 ms must finish in under 1.5 x 100 ms x ceil(200 / concurrency).

No time is mocked: the server is a real HTTP server in its own thread; the sync goes
through the API, the shared HTTP client, the Evolution client and the database.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.instances.models import InstanceStatus
from tests.instances.helpers import add_instances, add_server, get_row
from tests.simulator_server import delayed_evolution_process

INSTANCES = 200
DELAY = 0.1


class Stats:
    def __init__(self, url: str) -> None:
        self.url = url

    def reset(self) -> None:
        httpx.delete(f"{self.url}/_stats", timeout=5)

    def get(self) -> tuple[dict[str, int], dict[str, int]]:
        data = httpx.get(f"{self.url}/_stats", timeout=5).json()
        return data["calls"], data["max_in_flight"]


async def warm_up(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """FastAPI builds its routes on the first request: keep that out of the timing."""
    response = await client.post("/api/instances/sync", json={"instance_ids": []}, headers=headers)
    assert response.status_code == 200


@pytest.fixture(scope="module")
def delayed() -> Iterator[tuple[str, Stats]]:
    with delayed_evolution_process(DELAY) as url:
        yield url, Stats(url)


@pytest.fixture
def concurrency() -> int:
    return 10  # the default STATUS_SYNC_CONCURRENCY


@pytest.fixture
def settings(settings: Settings, concurrency: int) -> Settings:
    return settings.model_copy(update={"status_sync_concurrency": concurrency})


# Wall-clock bounds: a scheduling hiccup of the machine can miss one run; a real
# regression misses every run. So a miss is retried, the bound never loosened.
@pytest.mark.flaky(reruns=2)
async def test_sync_of_200_instances_is_bounded_and_fast(
    client: httpx.AsyncClient,
    operator: dict[str, str],
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    concurrency: int,
    delayed: tuple[str, Stats],
    capsys: pytest.CaptureFixture[str],
    record_property: object,
) -> None:
    url, stats = delayed
    server = await add_server(db, settings, url, "delayed-key")
    # Steady state: webhooks were checked recently, so only connectionState is asked.
    rows = await add_instances(
        db, server, INSTANCES, status=InstanceStatus.close, webhook_checked_at=utcnow()
    )
    stats.reset()
    await warm_up(client, operator)

    started = time.perf_counter()
    response = await client.post("/api/instances/sync", json={}, headers=operator)
    elapsed = time.perf_counter() - started
    calls, max_in_flight = stats.get()

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["total"], report["succeeded"]) == (INSTANCES, INSTANCES)
    assert all(i["status"] == "open" and i["changed"] for i in report["items"])
    assert (await get_row(db, rows[-1].id)).status == "open"
    assert calls["instance/connectionState"] == INSTANCES
    assert "webhook/find" not in calls
    # Bounded: never more instances in flight than the setting allows.
    assert max_in_flight["instance/connectionState"] <= concurrency
    assert max_in_flight["instance/connectionState"] >= concurrency // 2

    ideal = DELAY * math.ceil(INSTANCES / concurrency)
    limit = 1.5 * ideal
    with capsys.disabled():
        sys.stdout.write(
            f"\n[sync perf] {INSTANCES} instances, concurrency {concurrency}: "
            f"{elapsed * 1000:.0f} ms (ideal {ideal * 1000:.0f} ms, limit {limit * 1000:.0f} ms, "
            f"ratio {elapsed / ideal:.2f})\n"
        )
    record_property("sync_seconds", round(elapsed, 3))  # type: ignore[operator]
    assert elapsed < limit, f"{elapsed:.3f} s is not under {limit:.3f} s"


@pytest.mark.flaky(reruns=2)
async def test_sync_with_webhook_drift_checks(
    client: httpx.AsyncClient,
    operator: dict[str, str],
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    concurrency: int,
    delayed: tuple[str, Stats],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With drift checks every instance costs two calls (made at the same time): still
    bounded, and at most twice the time budget of the plain sync."""
    url, stats = delayed
    server = await add_server(db, settings, url, "delayed-key")
    await add_instances(db, server, INSTANCES, status=InstanceStatus.open)
    stats.reset()
    await warm_up(client, operator)

    started = time.perf_counter()
    response = await client.post(
        "/api/instances/sync", json={"check_webhook": True}, headers=operator
    )
    elapsed = time.perf_counter() - started
    calls, max_in_flight = stats.get()

    report = response.json()
    assert report["succeeded"] == INSTANCES
    assert all(i["webhook_drift"] == {"missing": True} for i in report["items"])
    assert calls["webhook/find"] == INSTANCES
    assert max_in_flight["webhook/find"] <= concurrency
    ideal = DELAY * math.ceil(INSTANCES / concurrency)
    with capsys.disabled():
        sys.stdout.write(
            f"\n[sync perf, with webhook/find] {INSTANCES} instances, concurrency "
            f"{concurrency}: {elapsed * 1000:.0f} ms (ideal {ideal * 1000:.0f} ms, "
            f"ratio {elapsed / ideal:.2f})\n"
        )
    assert elapsed < 2 * 1.5 * ideal, f"{elapsed:.3f} s is not under {3 * ideal:.3f} s"
