"""The demo's data, exported, restored into an empty database under another SECRET_KEY:
the same servers, instances, settings, allow-lists, users and roles, and the Evolution
secrets still work against the simulator (the server's key answers, and the webhooks it
posts with each instance's secret are accepted by the restored dashboard)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.auth.sessions import bearer_token_for
from evodash.backups import service
from evodash.backups.schemas import Backup
from evodash.core.config import Settings
from evodash.core.security import decrypt
from evodash.demo import ALLOWED, DEMO_KEY, INSTANCES, DemoDriver
from evodash.instances.models import EvolutionInstance
from evodash.main import create_app
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from evodash.simulator.app import create_simulator_app
from evodash.users.models import User
from tests import loopback
from tests.backups.test_backups_api import OTHER_SECRET, PASSPHRASE, empty_database, snapshot
from tests.factories import UserFactory
from tests.live import free_port, serve

pytestmark = [pytest.mark.commits, pytest.mark.slow]
Db = async_sessionmaker[AsyncSession]

#: What an instance is in evodash, beyond what ``snapshot`` compares: its settings and
#: its Evolution identity (status and timestamps are live state, not configuration; the
#: webhook secret's digest is keyed by SECRET_KEY, so the clear secret is compared).
_SETTINGS = (
    "evolution_id",
    "phone_number",
    "owner_jid",
    "profile_name",
    "reply_with_summary",
    "message_retention_days",
)


async def _secrets_and_settings(db: Db, secret: str) -> dict[str, Any]:
    """Every instance's settings and every Evolution secret, decrypted with ``secret``."""
    async with db() as s:
        servers = (await s.scalars(select(EvolutionServer).order_by(EvolutionServer.id))).all()
        instances = (
            await s.scalars(select(EvolutionInstance).order_by(EvolutionInstance.id))
        ).all()
    url = {x.id: x.base_url for x in servers}  # servers match by URL, not by id
    return {
        "keys": [decrypt(x.api_key_encrypted, secret=secret) for x in servers],
        "instances": [
            (
                {"server": url[i.server_id], **{c: getattr(i, c) for c in _SETTINGS}},
                None if i.token_encrypted is None else decrypt(i.token_encrypted, secret=secret),
                None
                if i.webhook_secret_encrypted is None
                else decrypt(i.webhook_secret_encrypted, secret=secret),
            )
            for i in instances
        ],
    }


async def _stored(db: Db, want: int) -> int:
    count = 0
    for _ in range(100):
        async with db() as s:
            count = int(await s.scalar(select(func.count(WhatsAppMessage.id))) or 0)
        if count >= want:
            break
        await asyncio.sleep(0.1)
    return count


async def test_the_demos_data_restores_under_another_secret_key(
    settings: Settings, db: Db, users: UserFactory
) -> None:
    port = free_port()
    live_settings = settings.model_copy(
        update={
            "public_base_url": f"http://127.0.0.1:{port}",
            "allowed_phone_numbers": ALLOWED,
            "background_tasks": True,
        }
    )
    admin = await users.admin()
    simulator = create_simulator_app(api_key=DEMO_KEY, receipt_delay=None)

    async def client(base_url: str, config: Settings) -> httpx.AsyncClient:
        async with db() as s:  # users match by username: a restored one may get a new id
            admin_id = await s.scalar(select(User.id).where(User.username == admin.username))
        assert admin_id is not None
        token = await bearer_token_for(db, admin_id, config, expires_in=timedelta(minutes=10))
        return loopback.client(
            base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )

    async with (
        serve(simulator, lifespan="on") as sim_live,
        loopback.client(base_url=sim_live.url, timeout=30, headers={"apikey": DEMO_KEY}) as sim,
    ):
        # The demo, as `evodash demo` sets it up, with a few customers writing in.
        async with (
            serve(create_app(live_settings), lifespan="on", port=port) as live,
            await client(live.url, live_settings) as api,
        ):
            driver = DemoDriver(api, sim)
            await driver.setup()
            for _ in range(3):
                await driver.customer_writes()
            await sim.post("/_sim/webhooks/flush", params={"wait": 10})
            assert await _stored(db, 3) == 3
            exported = await api.post("/api/backups/export", json={"passphrase": PASSPHRASE})
            assert exported.status_code == 200, exported.text
        document = exported.json()
        assert DEMO_KEY not in exported.text
        assert len(document["instances"]) == len(INSTANCES)
        before = await snapshot(db)
        old_secrets = await _secrets_and_settings(db, settings.secret_key.get_secret_value())
        assert old_secrets["keys"] == [DEMO_KEY]
        assert sum(token is not None for _, token, _ in old_secrets["instances"]) == len(INSTANCES)

        # A new server: empty database, another SECRET_KEY.
        await empty_database(db)
        restored = live_settings.model_copy(update={"secret_key": SecretStr(OTHER_SECRET)})
        async with db() as s:
            report = await service.import_backup(
                s, restored, Backup.model_validate(document), PASSPHRASE, dry_run=False
            )
            await s.commit()
        assert (report.servers.created, report.instances.created) == (1, len(INSTANCES))
        assert await snapshot(db) == before
        assert await _secrets_and_settings(db, OTHER_SECRET) == old_secrets
        # (id, name, display_name, allow-list, events): Loja Centro has its own allow-list.
        assert [i[3] for i in before["instances"] if i[1] == "loja-centro"] == [["+5531991234567"]]

        async with (
            serve(create_app(restored), lifespan="on", port=port) as live,
            await client(live.url, restored) as api,
        ):
            server_id = (await api.get("/api/servers")).json()["items"][0]["id"]
            tested = await api.post(f"/api/servers/{server_id}/test")
            assert tested.status_code == 200, tested.text
            assert tested.json()["api_key_valid"] is True
            # The simulator still posts with the secrets it was given before the
            # move: the restored dashboard accepts and stores the message.
            await driver.customer_writes()
            await sim.post("/_sim/webhooks/flush", params={"wait": 10})
            assert await _stored(db, 1) == 1
