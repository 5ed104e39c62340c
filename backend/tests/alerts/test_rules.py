"""Each rule against hand-made facts, on a fake clock (``run_checks(now=...)``)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.alerts.engine import run_checks
from evodash.alerts.models import AlertProbe, AlertState, RuleKind
from evodash.core.config import Settings
from evodash.core.services import Services
from evodash.instances.models import InstanceStatus
from evodash.jobs.models import ImageProcessingJob
from evodash.servers.models import EvolutionServer
from evodash.webhooks.models import WebhookDelivery, WebhookEvent
from tests import loopback
from tests.alerts.support import (
    NOW,
    ago,
    alerts,
    instance,
    later,
    only,
    services_for,
    set_status,
    transition,
)
from tests.simulator_server import RunningSimulator, closed_port_url


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback.client() as client:
        yield client


@pytest.fixture
def services(
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
) -> Services:
    tuned = settings.model_copy(update={"alert_probe_timeout_seconds": 2.0})
    return services_for(engine, db, tuned, http)


class TestDown:
    async def test_fires_after_the_threshold_and_resolves_when_back(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        await only(db, RuleKind.down, threshold_seconds=300)
        row = await instance(db, services.settings, status=InstanceStatus.close)
        await transition(db, row, "open", "close", ago(100))

        report = await run_checks(services, now=NOW)
        assert report.fired == []
        (pending,) = await alerts(db, RuleKind.down)
        assert pending.state == AlertState.pending.value
        assert pending.started_at == ago(100)

        report = await run_checks(services, now=later(200))  # 300 s since it left open
        (alert,) = await alerts(db, RuleKind.down)
        assert report.fired == [alert.id]
        assert alert.state == AlertState.firing.value
        assert alert.subject_key == f"instance:{row.id}"
        assert alert.fired_at == later(200)
        assert "close" in (alert.detail or "")
        assert alert.facts == {"status": "close"}

        await set_status(db, row, InstanceStatus.open)
        report = await run_checks(services, now=later(260))
        (alert,) = await alerts(db, RuleKind.down)
        assert report.resolved == [alert.id]
        assert alert.state == AlertState.resolved.value
        assert alert.resolved_at == later(260)

    async def test_back_before_the_threshold_leaves_no_alert(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        await only(db, RuleKind.down, threshold_seconds=300)
        row = await instance(db, services.settings, status=InstanceStatus.connecting)
        await transition(db, row, "open", "connecting", ago(10))
        await run_checks(services, now=NOW)
        await set_status(db, row, InstanceStatus.open)
        report = await run_checks(services, now=later(30))
        assert report.fired == report.resolved == []
        assert await alerts(db) == []  # the pending one is dropped, not kept as history

    async def test_an_instance_never_open_is_not_down(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        await only(db, RuleKind.down, threshold_seconds=1)
        row = await instance(db, services.settings, status=InstanceStatus.close)
        await transition(db, row, "created", "close", ago(3600))
        assert (await run_checks(services, now=NOW)).fired == []


class TestConnecting:
    async def test_stuck_waiting_for_the_qr_code(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        await only(db, RuleKind.connecting, RuleKind.down, threshold_seconds=600)
        row = await instance(db, services.settings, status=InstanceStatus.connecting)
        await transition(db, row, "close", "connecting", ago(599))
        assert (await run_checks(services, now=NOW)).fired == []
        report = await run_checks(services, now=later(1))
        (alert,) = await alerts(db, RuleKind.connecting)
        assert report.fired == [alert.id]
        assert alert.started_at == ago(599)

    async def test_a_dropped_instance_is_the_down_rules(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        await only(db, RuleKind.connecting, RuleKind.down, threshold_seconds=60)
        row = await instance(db, services.settings, status=InstanceStatus.connecting)
        await transition(db, row, "open", "connecting", ago(120))
        await run_checks(services, now=NOW)
        assert [a.rule for a in await alerts(db)] == [RuleKind.down.value]


class TestFlapping:
    async def test_n_transitions_within_the_window(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        await only(db, RuleKind.flapping, transitions=4, window_minutes=10)
        steady = await instance(db, services.settings, status=InstanceStatus.open)
        flappy = await instance(db, services.settings, status=InstanceStatus.open)
        states = ["open", "connecting", "open", "connecting", "open"]
        for n, (previous, state) in enumerate(itertools.pairwise(states)):
            await transition(db, flappy, previous, state, ago(60 * (n + 1)))
        await transition(db, steady, "connecting", "open", ago(60))
        await transition(db, steady, "open", "connecting", ago(120))
        await transition(db, steady, "close", "connecting", ago(3600))  # outside the window
        await transition(db, steady, "open", "close", ago(3700))

        report = await run_checks(services, now=NOW)
        (alert,) = await alerts(db, RuleKind.flapping)
        assert report.fired == [alert.id]
        assert alert.subject_id == flappy.id
        assert alert.detail == "4 transitions in 10 min"
        assert alert.facts == {"transitions": 4, "window_minutes": 10}
        # Once the oldest transition left the window, only 3 are left: it calmed down.
        report = await run_checks(services, now=later(400))
        assert report.resolved == [alert.id]


class TestServerUnreachable:
    async def test_unreachable_for_the_threshold_then_back(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        running_simulator: RunningSimulator,
    ) -> None:
        await only(db, RuleKind.server_unreachable, threshold_seconds=120)
        row = await instance(
            db, services.settings, status=InstanceStatus.open, base_url=closed_port_url()
        )
        assert (await run_checks(services, now=NOW)).fired == []
        (pending,) = await alerts(db)
        assert pending.state == AlertState.pending.value
        assert pending.subject_key == f"server:{row.server_id}"
        report = await run_checks(services, now=later(120))
        assert report.fired == [pending.id]
        (alert,) = await alerts(db)
        assert alert.detail is not None and alert.detail.startswith("Unreachable:")

        async with services.sessionmaker() as session:
            server = await session.get(EvolutionServer, row.server_id)
            assert server is not None
            server.base_url = running_simulator.base_url
            await session.commit()
        report = await run_checks(services, now=later(150))
        assert report.resolved == [alert.id]


class TestForwardFailing:
    async def _attempts(
        self, db: async_sessionmaker[AsyncSession], instance_id: int, statuses: list[str]
    ) -> None:
        async with db() as session:
            event = WebhookEvent(instance_id=instance_id, event="messages.upsert", body={})
            session.add(event)
            await session.flush()
            for n, status in enumerate(statuses):
                session.add(
                    WebhookDelivery(
                        event_id=event.id,
                        instance_id=instance_id,
                        url="https://crm.example.com/hook",
                        attempt=n + 1,
                        status=status,
                        created_at=ago(600 - n),
                    )
                )
            await session.commit()

    async def test_n_failures_in_a_row(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        await only(db, RuleKind.forward_failing, failures=3)
        failing = await instance(db, services.settings, status=InstanceStatus.open)
        recovered = await instance(db, services.settings, status=InstanceStatus.open)
        few = await instance(db, services.settings, status=InstanceStatus.open)
        await self._attempts(db, failing.id, ["succeeded", "failed", "failed", "failed", "pending"])
        await self._attempts(db, recovered.id, ["failed", "failed", "failed", "succeeded"])
        await self._attempts(db, few.id, ["failed", "failed"])
        await run_checks(services, now=NOW)
        assert [a.subject_id for a in await alerts(db, RuleKind.forward_failing)] == [failing.id]

        await self._attempts(db, failing.id, ["succeeded"])
        report = await run_checks(services, now=later(30))
        assert len(report.resolved) == 1


class TestJobsFailing:
    async def test_failure_rate_over_enough_jobs(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        await only(db, RuleKind.jobs_failing, rate_percent=50, min_jobs=4, window_minutes=60)

        async def jobs(statuses: list[str], finished: float) -> None:
            async with db() as session:
                for status in statuses:
                    session.add(
                        ImageProcessingJob(kind="invoice", status=status, finished_at=ago(finished))
                    )
                await session.commit()

        await jobs(["failed", "failed", "succeeded"], 60)  # 67 %, but only 3 jobs
        await jobs(["failed"] * 10, 7200)  # outside the window
        assert (await run_checks(services, now=NOW)).fired == []
        await jobs(["succeeded"], 30)  # 2 of 4: 50 %
        report = await run_checks(services, now=NOW)
        (alert,) = await alerts(db, RuleKind.jobs_failing)
        assert report.fired == [alert.id]
        assert alert.subject_key == "jobs:invoice"
        assert alert.detail == "2 of 4 image jobs failed (50 %) in 60 min"
        assert alert.facts == {"failed": 2, "total": 4, "rate_percent": 50, "window_minutes": 60}


class TestZombie:
    """Against the simulator over real HTTP, with its zombie fault."""

    async def _open_instance(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        sim: RunningSimulator,
        *,
        silent_for: float,
    ) -> int:
        await sim.create_instance("zombie-0001")
        await sim.request("GET", "/instance/connect/zombie-0001")
        await sim.scan("zombie-0001", number="5511987650001")
        row = await instance(
            db,
            services.settings,
            status=InstanceStatus.open,
            base_url=sim.base_url,
            api_key=sim.api_key,
            prefix="zombie",
            phone_number="5511987650001",
            connected_at=ago(silent_for),
        )
        return row.id

    async def test_a_live_socket_answers_the_probe(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        running_simulator: RunningSimulator,
    ) -> None:
        await only(db, RuleKind.zombie, threshold_seconds=1800)
        instance_id = await self._open_instance(db, services, running_simulator, silent_for=1900)
        assert (await run_checks(services, now=NOW)).fired == []
        async with db() as session:
            probe = await session.get(AlertProbe, instance_id)
            assert probe is not None and probe.ok_at == NOW
        # The good probe is a sign of life: no new probe before another threshold.
        assert (await run_checks(services, now=later(60))).fired == []

    async def test_open_silent_and_the_probe_fails(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        running_simulator: RunningSimulator,
    ) -> None:
        await only(db, RuleKind.zombie, threshold_seconds=1800)
        instance_id = await self._open_instance(db, services, running_simulator, silent_for=1900)
        await running_simulator.request(
            "POST", "/_sim/instances/zombie-0001/zombie", {"on": True, "failAfterMs": 0}
        )
        state = await running_simulator.request("GET", "/instance/connectionState/zombie-0001")
        assert state["instance"]["state"] == "open"  # what Evolution says

        report = await run_checks(services, now=NOW)
        (alert,) = await alerts(db, RuleKind.zombie)
        assert report.fired == [alert.id]
        assert alert.subject_id == instance_id
        assert "WhatsApp probe failed" in (alert.detail or "")

        await running_simulator.request("POST", "/_sim/instances/zombie-0001/zombie", {"on": False})
        report = await run_checks(services, now=later(30))
        assert report.resolved == [alert.id]

    async def test_a_probe_that_never_answers_counts_as_failed(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        running_simulator: RunningSimulator,
    ) -> None:
        await only(db, RuleKind.zombie, threshold_seconds=1800)
        services.settings = services.settings.model_copy(
            update={"alert_probe_timeout_seconds": 0.3}
        )
        await self._open_instance(db, services, running_simulator, silent_for=1900)
        await running_simulator.request(
            "POST", "/_sim/instances/zombie-0001/zombie", {"on": True, "failAfterMs": 30_000}
        )
        report = await run_checks(services, now=NOW)
        (alert,) = await alerts(db, RuleKind.zombie)
        assert report.fired == [alert.id]

    async def test_recent_events_mean_no_probe(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        running_simulator: RunningSimulator,
    ) -> None:
        await only(db, RuleKind.zombie, threshold_seconds=1800)
        instance_id = await self._open_instance(db, services, running_simulator, silent_for=1900)
        async with db() as session:
            session.add(
                WebhookEvent(
                    instance_id=instance_id, event="messages.upsert", body={}, received_at=ago(60)
                )
            )
            await session.commit()
        await running_simulator.request(
            "POST", "/_sim/instances/zombie-0001/zombie", {"on": True, "failAfterMs": 0}
        )
        assert (await run_checks(services, now=NOW)).fired == []
        async with db() as session:
            assert await session.get(AlertProbe, instance_id) is None  # never asked
