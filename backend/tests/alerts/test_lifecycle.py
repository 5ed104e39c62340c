"""An alert's life: one per (rule, subject), repeats, resolution, acknowledgement,
silence, realtime events; and one evaluation across processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.alerts.engine import run_checks
from evodash.alerts.models import Alert, AlertState, RuleKind
from evodash.core.config import Settings
from evodash.core.scheduler import PostgresLeadership, Scheduler, periodic
from evodash.core.services import Services
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.realtime import watch
from evodash.realtime.bus import InProcessBus
from evodash.realtime.events import Event
from tests import loopback
from tests.alerts.support import (
    NOW,
    Receiver,
    ago,
    alerts,
    deliveries,
    instance,
    later,
    only,
    receiving,
    services_for,
    set_status,
    transition,
    webhook_channel,
)
from tests.factories import UserFactory
from tests.instances.helpers import HeadersFor


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback.client() as client:
        yield client


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"forward_allow_private_networks": True, "alert_repeat_seconds": 600}
    )


@pytest.fixture
def services(
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
) -> Services:
    return services_for(engine, db, settings, http)


@pytest.fixture
async def receiver(db: async_sessionmaker[AsyncSession]) -> AsyncIterator[Receiver]:
    found = Receiver()
    async with receiving(found) as url:
        await webhook_channel(db, url)
        yield found


async def down_instance(
    db: async_sessionmaker[AsyncSession], settings: Settings, *, left: float = 400
) -> EvolutionInstance:
    await only(db, RuleKind.down, threshold_seconds=300)
    row = await instance(db, settings, status=InstanceStatus.close)
    await transition(db, row, "open", "close", ago(left))
    return row


def types(receiver: Receiver) -> list[str]:
    return [body["type"] for body in receiver.received]


class TestLifecycle:
    async def test_one_alert_while_it_fires_repeats_then_resolves(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        receiver: Receiver,
    ) -> None:
        row = await down_instance(db, services.settings)
        await run_checks(services, now=NOW)
        await run_checks(services, now=later(30))  # still firing: no second alert, no notice
        await run_checks(services, now=later(599))
        assert types(receiver) == ["alert.fired"]
        (alert,) = await alerts(db)
        assert alert.last_checked_at == later(599)

        await run_checks(services, now=later(600))  # ALERT_REPEAT_SECONDS after the first
        await run_checks(services, now=later(900))
        assert types(receiver) == ["alert.fired", "alert.repeat"]

        await set_status(db, row, InstanceStatus.open)
        await run_checks(services, now=later(960))
        assert types(receiver) == ["alert.fired", "alert.repeat", "alert.resolved"]
        (alert,) = await alerts(db)
        assert (alert.state, alert.notifications) == (AlertState.resolved.value, 3)
        body = receiver.received[0]
        assert body["alert"]["id"] == alert.id
        assert body["alert"]["subject_key"] == f"instance:{row.id}"
        assert body["url"].endswith(f"/alerts?alert={alert.id}")

        # Down again: a new alert, the old one stays as history.
        await set_status(db, row, InstanceStatus.close)
        await transition(db, row, "open", "close", later(1000))
        await run_checks(services, now=later(1400))
        assert [a.state for a in await alerts(db)] == ["resolved", "firing"]
        assert len(await deliveries(db)) == 4

    async def test_acknowledged_stops_repeats_but_not_the_resolution(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        receiver: Receiver,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: HeadersFor,
    ) -> None:
        row = await down_instance(db, services.settings)
        await run_checks(services, now=NOW)
        (alert,) = await alerts(db)
        operator = await users.operator()
        headers = await as_user(operator)
        answer = await client.post(f"/api/alerts/{alert.id}/ack", headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["acked_by"] == operator.id
        summary = (await client.get("/api/alerts/summary", headers=headers)).json()
        assert summary == {"firing": 1, "unacknowledged": 0, "by_rule": {"down": 1}}

        await run_checks(services, now=later(1200))
        assert types(receiver) == ["alert.fired"]
        await set_status(db, row, InstanceStatus.open)
        await run_checks(services, now=later(1260))
        assert types(receiver) == ["alert.fired", "alert.resolved"]
        again = await client.post(f"/api/alerts/{alert.id}/ack", headers=headers)
        assert again.status_code == 409
        assert again.json()["error"] == "alert_not_firing"

    async def test_silenced_sends_nothing_until_the_silence_ends(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        receiver: Receiver,
    ) -> None:
        row = await down_instance(db, services.settings)
        await run_checks(services, now=NOW)
        async with db() as session:
            (alert,) = await alerts(db)
            stored = await session.get(Alert, alert.id)
            assert stored is not None
            stored.silenced_until = later(3600)
            await session.commit()
        await run_checks(services, now=later(1200))  # a repeat was due: silenced
        # It resolves and fires again within the silence: the new alert inherits it.
        await set_status(db, row, InstanceStatus.open)
        await run_checks(services, now=later(1300))
        await set_status(db, row, InstanceStatus.close)
        await transition(db, row, "open", "close", later(1300))
        await run_checks(services, now=later(1700))
        assert types(receiver) == ["alert.fired"]
        newest = (await alerts(db))[-1]
        assert newest.state == AlertState.firing.value
        assert newest.silenced_until == later(3600)
        await run_checks(services, now=later(3601))  # the silence is over: a repeat
        assert types(receiver) == ["alert.fired", "alert.repeat"]

    async def test_realtime_events_for_fired_and_resolved(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        seen: list[Event] = []
        stop = watch(seen.append)
        try:
            row = await down_instance(db, services.settings)
            await run_checks(services, now=NOW)
            await set_status(db, row, InstanceStatus.open)
            await run_checks(services, now=later(30))
        finally:
            stop()
        mine = [e for e in seen if getattr(e, "type", "").startswith("alert.")]
        assert [e.type for e in mine] == ["alert.fired", "alert.resolved"]  # type: ignore[attr-defined]
        assert mine[0].data.subject_id == row.id  # type: ignore[attr-defined]

    async def test_turning_a_rule_off_resolves_its_alerts(
        self, db: async_sessionmaker[AsyncSession], services: Services, receiver: Receiver
    ) -> None:
        await down_instance(db, services.settings)
        await run_checks(services, now=NOW)
        await only(db)  # every rule off
        report = await run_checks(services, now=later(30))
        (alert,) = await alerts(db)
        assert report.resolved == [alert.id]
        assert (alert.detail or "").endswith("(rule turned off)")


@pytest.mark.commits
class TestOnceAcrossProcesses:
    async def test_two_schedulers_fire_one_alert_and_one_notice(
        self,
        engine: AsyncEngine,
        db: async_sessionmaker[AsyncSession],
        is_postgres: bool,
        settings: Settings,
        http: httpx.AsyncClient,
    ) -> None:
        if not is_postgres:
            pytest.skip("SQLite runs as one process: it is always the only leader")
        maker = db  # real commits, on tables emptied before and after
        found = Receiver()
        async with receiving(found) as url:
            await webhook_channel(maker, url)
            row = await down_instance(maker, settings, left=3600)
            assert row.id
            tasks = [periodic("alerts", every=0.05, run=run_checks)]
            schedulers = [
                Scheduler(
                    Services(settings, engine, maker, http, InProcessBus()),
                    tasks,
                    PostgresLeadership(engine),
                    tick=0.02,
                )
                for _ in range(2)
            ]
            for scheduler in schedulers:
                scheduler.start()
            try:
                for _ in range(500):
                    if sum(s.rounds["alerts"] for s in schedulers) >= 6:
                        break
                    await asyncio.sleep(0.01)
            finally:  # both at once, as when every process shuts down: the lock the
                # first one gives back must not start a round in the other
                await asyncio.gather(*(scheduler.stop() for scheduler in schedulers))
            rounds = sorted(s.rounds["alerts"] for s in schedulers)
        assert rounds[0] == 0 and rounds[1] >= 6  # only the leader evaluated
        assert [a.state for a in await alerts(maker)] == ["firing"]
        assert types(found) == ["alert.fired"]
