"""The issue's "done when", below the browser: a zombie made with the simulator's fault
reaches a webhook listener and an SMTP server, and its resolution follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email import message_from_bytes

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.alerts.engine import run_checks
from evodash.alerts.models import AlertChannel, RuleKind
from evodash.core.config import Settings
from evodash.core.services import Services
from evodash.instances.models import InstanceStatus
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
    async with httpx.AsyncClient() as client:
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


async def test_a_zombie_reaches_a_webhook_and_an_inbox_then_resolves(
    db: async_sessionmaker[AsyncSession],
    services: Services,
    running_simulator: RunningSimulator,
    smtp: tuple[Mailbox, int],
) -> None:
    sim = running_simulator
    box, port = smtp
    await only(db, RuleKind.zombie, threshold_seconds=1800)
    await sim.create_instance("shop-0001")
    await sim.request("GET", "/instance/connect/shop-0001")
    await sim.scan("shop-0001", number="5511987650009")
    row = await instance(
        db,
        services.settings,
        status=InstanceStatus.open,
        base_url=sim.base_url,
        api_key=sim.api_key,
        prefix="shop",
        phone_number="5511987650009",
        connected_at=ago(7200),
    )
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
    subjects = [str(message_from_bytes(e.content)["Subject"]) for e in box.envelopes]
    assert [s.split(": ", 1)[0] for s in subjects] == [
        "[evodash ALERT] zombie",
        "[evodash RESOLVED] zombie",
    ]
