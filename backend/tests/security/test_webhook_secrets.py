"""Issue 11, finding 13 (the receiver's part): secrets at rest.

* the instance token Evolution sends in every webhook body (``apikey``) was stored in
  clear in the inbox: it is masked before anything is stored;
* the instance's webhook secret was stored in clear: a database leak must not reveal it.
  Only an HMAC digest (what the receiver compares, in constant time) and a Fernet-encrypted
  copy (what evodash configures on Evolution) are kept; clear secrets of older rows are
  sealed at startup.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.cli import upgrade_database
from evodash.core.config import Settings
from evodash.instances.models import EvolutionInstance
from evodash.main import create_app
from evodash.webhooks import SECRET_HEADER
from tests import loopback
from tests.conftest import _in_thread
from tests.instances.helpers import register_server
from tests.lifecycle_fixtures import (  # noqa: F401 (fixtures)
    admin,
    headers_of,
    running_simulator,
    settings,
    simulator_process,
)
from tests.simulator_server import RunningSimulator
from tests.webhooks.support import (
    Hooked,
    InstanceFactory,
    events,
    messages,
    post_event,
    text_message,
)

TOKEN = "E3B0C442-98FC-4C14-9AFB-F4C8996FB924"  # the apikey of text_message()


@pytest.fixture
def instances(db: async_sessionmaker[AsyncSession]) -> InstanceFactory:
    return InstanceFactory(db)


async def _all_text(db: async_sessionmaker[AsyncSession], table: str) -> str:
    """Every row of ``table`` as one string: what a leaked dump would show."""
    async with db() as session:
        rows = (await session.execute(text(f'SELECT * FROM "{table}"'))).all()
    return repr([tuple(r) for r in rows])


async def test_the_instance_token_never_reaches_the_inbox(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    hooked = await instances.create("acme-support")
    response = await post_event(client, hooked, text_message("TOK1"))
    assert response.status_code == 200, response.text
    [event] = await events(db)
    assert event.body["apikey"] == "****" + TOKEN[-4:]
    assert [m.message_id for m in await messages(db)] == ["TOK1"]
    for table in ("webhook_event", "whatsapp_message"):
        assert TOKEN not in await _all_text(db, table)
        assert TOKEN[:-4] not in await _all_text(db, table)


async def test_an_instance_created_through_the_api_keeps_no_clear_secret(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    admin: dict[str, str],  # noqa: F811 (the imported fixture)
    running_simulator: RunningSimulator,  # noqa: F811
) -> None:
    server = await register_server(
        client, admin, running_simulator.base_url, running_simulator.api_key, "sim"
    )
    body = {"display_name": "Acme", "name": "acme-secret", "server_id": server["id"]}
    created = await client.post("/api/instances", json=body, headers=admin)
    assert created.status_code == 201, created.text
    instance_id = created.json()["id"]
    hook = await running_simulator.webhook("acme-secret")
    assert hook is not None
    secret = hook["headers"][SECRET_HEADER]
    assert len(secret) >= 32

    dump = await _all_text(db, "evolution_instance")
    assert secret not in dump
    async with db() as session:
        row = await session.get(EvolutionInstance, instance_id)
        assert row is not None
        assert row.legacy_webhook_secret is None
        assert row.webhook_secret_digest and row.webhook_secret_encrypted

    # The secret Evolution holds is what the receiver accepts, and nothing else.
    hooked = Hooked(instance_id, "acme-secret", secret)
    event = {"event": "instance.create", "instance": "acme-secret", "data": {}}
    assert (await post_event(client, hooked, event)).status_code == 200
    wrong = await post_event(client, hooked, event, secret=secret[:-1] + "x")
    assert wrong.status_code == 401
    assert (await client.get(f"/api/instances/{instance_id}", headers=admin)).status_code == 200
    listed = (await client.get(f"/api/instances/{instance_id}", headers=admin)).json()
    assert secret not in repr(listed)


@pytest.mark.commits  # the upgrade reads the row with its own engine
async def test_clear_secrets_of_older_rows_are_sealed_by_the_upgrade(
    settings: Settings,  # noqa: F811
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    server_id = await instances.server()
    legacy = "whs_written_before_the_upgrade_0123456789"
    async with db() as session:
        row = EvolutionInstance(
            server_id=server_id,
            display_name="Old",
            name="old-one",
            status="open",
            legacy_webhook_secret=legacy,
            webhook_events=[],
            allowed_numbers=[],
        )
        session.add(row)
        await session.commit()
    # Before the upgrade the secret is stored in clear; an upgrade seals it.
    assert legacy in await _all_text(db, "evolution_instance")
    _in_thread(lambda: upgrade_database(settings))  # `evodash migrate`, `evodash run`
    assert legacy not in await _all_text(db, "evolution_instance")
    app = create_app(settings)
    async with (
        LifespanManager(app),
        loopback.client(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        hooked = Hooked(row.id, "old-one", legacy)
        body: dict[str, Any] = {"event": "logout.instance", "instance": "old-one", "data": {}}
        assert (await post_event(c, hooked, body)).status_code == 200
        assert (await post_event(c, hooked, body, secret="nope")).status_code == 401
