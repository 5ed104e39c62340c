"""Status sync of many instances against a real loopback server that answers each call
after a delay: every instance asked once, in parallel, never more at once than the
setting allows.

The server is a real HTTP server in its own process; the sync goes through the API, the
shared HTTP client, the Evolution client and the database. How fast it is (the design's
1.5 x ideal target) is measured by ``bench/status_sync.py``, not asserted here.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.instances.models import InstanceStatus
from tests import loopback
from tests.instances.helpers import add_instances, add_server, get_row
from tests.simulator_server import delayed_evolution_process

INSTANCES = 60
#: Long enough for the calls of one batch to overlap, short enough to keep the test quick.
DELAY = 0.02


class Stats:
    def __init__(self, url: str) -> None:
        self.url = url

    def reset(self) -> None:
        loopback.request("DELETE", f"{self.url}/_stats", timeout=5)

    def get(self) -> tuple[dict[str, int], dict[str, int]]:
        data = loopback.request("GET", f"{self.url}/_stats", timeout=5).json()
        return data["calls"], data["max_in_flight"]


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


async def test_sync_of_many_instances_is_parallel_and_bounded(
    client: httpx.AsyncClient,
    operator: dict[str, str],
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    concurrency: int,
    delayed: tuple[str, Stats],
) -> None:
    url, stats = delayed
    server = await add_server(db, settings, url, "delayed-key")
    # Steady state: webhooks were checked recently, so only connectionState is asked.
    rows = await add_instances(
        db, server, INSTANCES, status=InstanceStatus.close, webhook_checked_at=utcnow()
    )
    stats.reset()

    response = await client.post("/api/instances/sync", json={}, headers=operator)
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
    # Parallel: the calls of a batch overlapped at the server.
    assert max_in_flight["instance/connectionState"] >= concurrency // 2


async def test_sync_with_webhook_drift_checks(
    client: httpx.AsyncClient,
    operator: dict[str, str],
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    concurrency: int,
    delayed: tuple[str, Stats],
) -> None:
    """With drift checks every instance costs two calls (made at the same time): still
    bounded by the setting."""
    url, stats = delayed
    server = await add_server(db, settings, url, "delayed-key")
    await add_instances(db, server, INSTANCES, status=InstanceStatus.open)
    stats.reset()

    response = await client.post(
        "/api/instances/sync", json={"check_webhook": True}, headers=operator
    )
    calls, max_in_flight = stats.get()

    report = response.json()
    assert report["succeeded"] == INSTANCES
    assert all(i["webhook_drift"] == {"missing": True} for i in report["items"])
    assert calls["webhook/find"] == INSTANCES
    assert max_in_flight["webhook/find"] <= concurrency
    assert calls["instance/connectionState"] == INSTANCES
