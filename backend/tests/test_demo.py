"""The demo's driver, against a real dashboard and a real simulator over loopback HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.auth.sessions import bearer_token_for
from evodash.core.config import Settings
from evodash.demo import ALLOWED, DEMO_KEY, DemoDriver
from evodash.main import create_app
from evodash.messages.models import WhatsAppMessage
from evodash.simulator.app import create_simulator_app
from tests import loopback
from tests.factories import UserFactory
from tests.live import free_port, serve


@pytest.mark.commits
async def test_demo_setup_shows_connected_instances_with_messages(
    settings: Settings, db: async_sessionmaker[AsyncSession], users: UserFactory
) -> None:
    admin = await users.admin()
    port = free_port()
    dashboard = create_app(
        settings.model_copy(
            update={
                "public_base_url": f"http://127.0.0.1:{port}",
                "allowed_phone_numbers": ALLOWED,
                "background_tasks": True,  # the webhook applier, as in production
            }
        )
    )
    simulator = create_simulator_app(api_key=DEMO_KEY, receipt_delay=None)
    token = await bearer_token_for(db, admin.id, settings, expires_in=timedelta(minutes=10))
    async with (
        LifespanManager(dashboard),
        serve(dashboard, port=port) as live,
        serve(simulator, lifespan="on") as sim_live,
        loopback.client(
            base_url=live.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        ) as api,
        loopback.client(base_url=sim_live.url, timeout=30, headers={"apikey": DEMO_KEY}) as sim,
    ):
        driver = DemoDriver(api, sim)
        await driver.setup()
        for _ in range(5):
            await driver.customer_writes()
        await sim.post("/_sim/webhooks/flush", params={"wait": 10})

        instances = {i["name"]: i for i in (await api.get("/api/instances")).json()["items"]}
        assert instances["loja-centro"]["status"] == "open"
        assert instances["financeiro"]["status"] == "open"
        assert instances["atendimento"]["status"] == "connecting"
        assert instances["vendas-sul"]["status"] in ("created", "close")

        for _ in range(50):
            async with db() as session:
                stored = (
                    await session.execute(select(func.count(WhatsAppMessage.id)))
                ).scalar_one()
            if stored >= 5:
                break
            await asyncio.sleep(0.1)
        assert stored == 5
        overview = (await api.get("/api/stats/overview")).json()
        assert overview["instances_by_status"]["open"] == 2
        assert overview["messages"]["incoming_24h"] == 5
