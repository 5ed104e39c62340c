"""The issue's "done when", below the browser: a zombie made with the simulator's fault,
and an instance flapping through the simulator's control API, reach a webhook listener
and an SMTP server, and their resolutions follow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.alerts.engine import run_checks
from evodash.alerts.models import AlertChannel, RuleKind
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.services import Services
from evodash.instances.models import ConnectionEvent, InstanceStatus
from evodash.instances.sync import sync_all_once
from tests import loopback
from tests.alerts.conftest import Mailbox
from tests.alerts.support import (
    NOW,
    Receiver,
    ago,
    instance,
    later,
    only,
    receiving,
    services_for,
    webhook_channel,
)
from tests.simulator_server import RunningSimulator


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
    tuned = settings.model_copy(
        update={"forward_allow_private_networks": True, "alert_probe_timeout_seconds": 2.0}
    )
    return services_for(engine, db, tuned, http)


async def mail_channel(db: async_sessionmaker[AsyncSession], port: int) -> None:
    async with db() as session:
        session.add(
            AlertChannel(
                name="mail",
                kind="email",
                config={
                    "kind": "email",
                    "host": "127.0.0.1",
                    "port": port,
                    "security": "none",
                    "sender": "evodash@example.com",
                    "to": ["ops@example.com"],
                },
            )
        )
        await session.commit()


async def connect(sim: RunningSimulator, name: str, number: str) -> None:
    """Create ``name`` on the simulator and scan its QR code as ``number``."""
    await sim.create_instance(name)
    await sim.request("GET", f"/instance/connect/{name}")
    await sim.scan(name, number=number)


async def connected_instance(
    db: async_sessionmaker[AsyncSession],
    services: Services,
    sim: RunningSimulator,
    name: str,
    number: str,
    **extra: Any,
) -> Any:
    """An instance connected on the simulator, and evodash's row for it (status open)."""
    await connect(sim, name, number)
    return await instance(
        db,
        services.settings,
        status=InstanceStatus.open,
        base_url=sim.base_url,
        api_key=sim.api_key,
        prefix=name.split("-")[0],
        phone_number=number,
        **extra,
    )


def subjects(box: Mailbox) -> list[str]:
    return [str(message_from_bytes(e.content)["Subject"]).split(": ", 1)[0] for e in box.envelopes]


async def test_a_zombie_reaches_a_webhook_and_an_inbox_then_resolves(
    db: async_sessionmaker[AsyncSession],
    services: Services,
    running_simulator: RunningSimulator,
    smtp: tuple[Mailbox, int],
) -> None:
    sim = running_simulator
    box, port = smtp
    await only(db, RuleKind.zombie, threshold_seconds=1800)
    row = await connected_instance(
        db, services, sim, "shop-0001", "5511987650009", connected_at=ago(7200)
    )
    await mail_channel(db, port)
    found = Receiver()
    async with receiving(found) as url:
        await webhook_channel(db, url)
        # The socket dies; Evolution keeps saying "open".
        await sim.request(
            "POST", "/_sim/instances/shop-0001/zombie", {"on": True, "failAfterMs": 0}
        )
        fired = await run_checks(services, now=NOW)
        assert len(fired.fired) == 1 and fired.failed_deliveries == 0
        await sim.request("POST", "/_sim/instances/shop-0001/zombie", {"on": False})
        resolved = await run_checks(services, now=later(30))
        assert resolved.resolved == fired.fired
    assert [(b["type"], b["alert"]["subject_key"]) for b in found.received] == [
        ("alert.fired", f"instance:{row.id}"),
        ("alert.resolved", f"instance:{row.id}"),
    ]
    assert subjects(box) == ["[evodash ALERT] zombie", "[evodash RESOLVED] zombie"]


async def test_a_dropped_connection_reaches_a_webhook_and_an_inbox_then_resolves(
    db: async_sessionmaker[AsyncSession],
    services: Services,
    http: httpx.AsyncClient,
    running_simulator: RunningSimulator,
    smtp: tuple[Mailbox, int],
) -> None:
    """Dropped through ``/_sim`` (real HTTP) and seen by the status sync: after
    ``threshold_seconds`` plus a check it fires; reconnected, it resolves."""
    sim = running_simulator
    box, port = smtp
    await only(db, RuleKind.down, threshold_seconds=300)
    row = await connected_instance(db, services, sim, "drop-0001", "5511987650011")
    await mail_channel(db, port)
    found = Receiver()
    async with receiving(found) as url:
        await webhook_channel(db, url)
        await sim.request("POST", "/_sim/instances/drop-0001/drop", {"reason": 401})
        await sync_all_once(services.sessionmaker, http, services.settings)
        now = utcnow()
        early = await run_checks(services, now=now + timedelta(seconds=60))
        assert early.fired == []  # not down for the threshold yet
        fired = await run_checks(services, now=now + timedelta(seconds=301))
        assert len(fired.fired) == 1 and fired.failed_deliveries == 0
        await sim.request("GET", "/instance/connect/drop-0001")
        await sim.scan("drop-0001", number="5511987650011")
        await sync_all_once(services.sessionmaker, http, services.settings)
        resolved = await run_checks(services, now=now + timedelta(seconds=331))
        assert resolved.resolved == fired.fired
    assert [(b["type"], b["alert"]["subject_key"]) for b in found.received] == [
        ("alert.fired", f"instance:{row.id}"),
        ("alert.resolved", f"instance:{row.id}"),
    ]
    assert subjects(box) == ["[evodash ALERT] down", "[evodash RESOLVED] down"]


async def test_a_flapping_instance_reaches_a_webhook_and_an_inbox_then_resolves(
    db: async_sessionmaker[AsyncSession],
    services: Services,
    http: httpx.AsyncClient,
    running_simulator: RunningSimulator,
    smtp: tuple[Mailbox, int],
) -> None:
    """The connection drops and comes back twice through ``/_sim`` (real HTTP); evodash
    sees each change by syncing the status, as it does on schedule: four transitions in
    the window fire the rule, and once they left the window it resolves."""
    sim = running_simulator
    box, port = smtp
    await only(db, RuleKind.flapping, transitions=4, window_minutes=10)
    row = await connected_instance(db, services, sim, "flap-0001", "5511987650010")
    await mail_channel(db, port)
    settings = services.settings

    async def sync() -> None:
        await sync_all_once(services.sessionmaker, http, settings)

    found = Receiver()
    async with receiving(found) as url:
        await webhook_channel(db, url)
        for _ in range(2):  # logged out on the phone, then scanned again
            await sim.request("POST", "/_sim/instances/flap-0001/drop", {"reason": 401})
            await sync()
            await sim.request("GET", "/instance/connect/flap-0001")
            await sim.scan("flap-0001", number="5511987650010")
            await sync()
        async with db() as session:
            states = (
                await session.scalars(
                    select(ConnectionEvent.state)
                    .where(ConnectionEvent.instance_id == row.id)
                    .order_by(ConnectionEvent.id)
                )
            ).all()
        assert states == ["close", "open", "close", "open"]
        now = utcnow()
        fired = await run_checks(services, now=now)
        assert len(fired.fired) == 1 and fired.failed_deliveries == 0
        # Steady since: once the window has passed over the transitions, it resolves.
        resolved = await run_checks(services, now=now + timedelta(minutes=11))
        assert resolved.resolved == fired.fired
    assert [(b["type"], b["alert"]["subject_key"]) for b in found.received] == [
        ("alert.fired", f"instance:{row.id}"),
        ("alert.resolved", f"instance:{row.id}"),
    ]
    assert found.received[0]["alert"]["facts"] == {"transitions": 4, "window_minutes": 10}
    assert subjects(box) == ["[evodash ALERT] flapping", "[evodash RESOLVED] flapping"]
