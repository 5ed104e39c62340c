"""Channels over real sockets: webhook receivers on loopback, an SMTP server (aiosmtpd),
WhatsApp through the simulator; and a failing channel never holding up the others."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.alerts.engine import run_checks
from evodash.alerts.models import AlertChannel, RuleKind
from evodash.alerts.schemas import AlertRead
from evodash.core.config import Settings
from evodash.core.security import encrypt
from evodash.core.services import Services
from evodash.instances.models import InstanceStatus
from tests import loopback
from tests.alerts.conftest import Mailbox
from tests.alerts.support import (
    NOW,
    Receiver,
    ago,
    deliveries,
    instance,
    only,
    receiving,
    services_for,
    transition,
    webhook_channel,
)
from tests.factories import UserFactory
from tests.instances.helpers import HeadersFor
from tests.live import free_port
from tests.simulator_server import RunningSimulator, closed_port_url

API_GUIDE = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def documented_alert_body() -> dict[str, Any]:
    """The example body of the API guide's "Alert webhooks" section."""
    section = API_GUIDE.read_text(encoding="utf-8").split("## Alert webhooks", 1)[1]
    match = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert match is not None, "docs/api.md: no JSON example under 'Alert webhooks'"
    body: dict[str, Any] = json.loads(match.group(1))
    return body


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback.client() as client:
        yield client


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"forward_allow_private_networks": True, "alert_channel_timeout_seconds": 0.5}
    )


@pytest.fixture
def services(
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
) -> Services:
    return services_for(engine, db, settings, http)


async def fire_down(db: async_sessionmaker[AsyncSession], services: Services) -> int:
    await only(db, RuleKind.down, threshold_seconds=60)
    row = await instance(db, services.settings, status=InstanceStatus.close)
    await transition(db, row, "open", "close", ago(120))
    (alert_id,) = (await run_checks(services, now=NOW)).fired
    return alert_id


async def add_channel(
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    name: str,
    config: dict[str, Any],
    password: str | None = None,
) -> AlertChannel:
    channel = AlertChannel(name=name, kind=config["kind"], enabled=True, config=config)
    if password is not None:
        channel.secret_encrypted = encrypt(password, secret=settings.secret())
    async with db() as session:
        session.add(channel)
        await session.commit()
    return channel


class TestWebhook:
    async def test_slack_and_discord_bodies(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        slack, discord = Receiver(), Receiver()
        async with receiving(slack) as slack_url, receiving(discord) as discord_url:
            await webhook_channel(db, slack_url, name="slack", fmt="slack")
            await webhook_channel(db, discord_url, name="discord", fmt="discord")
            await fire_down(db, services)
        (s,) = slack.received
        (d,) = discord.received
        assert set(s) == {"text"} and s["text"].startswith("[evodash ALERT] down: ")
        assert set(d) == {"content"} and d["content"] == s["text"]

    async def test_the_json_body_is_the_one_the_api_guide_documents(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        found = Receiver()
        async with receiving(found) as url:
            await webhook_channel(db, url)
            await fire_down(db, services)
        (sent,) = found.received
        documented = documented_alert_body()
        assert set(sent) == set(documented)
        assert set(sent["alert"]) == set(documented["alert"]) == set(AlertRead.model_fields)
        assert (sent["type"], sent["alert"]["rule"]) == (documented["type"], "down")
        assert set(sent["alert"]["facts"]) == set(documented["alert"]["facts"])
        assert sent["alert"]["instance_id"] == sent["alert"]["subject_id"]

    async def test_private_addresses_are_refused_without_the_setting(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        services.settings = services.settings.model_copy(
            update={"forward_allow_private_networks": False}
        )
        found = Receiver()
        async with receiving(found) as url:
            await webhook_channel(db, url)
            await fire_down(db, services)
        assert found.received == []
        (delivery,) = await deliveries(db)
        assert not delivery.ok
        assert (delivery.error or "").startswith("refused: 127.0.0.1 is a loopback address")

    async def test_alert_webhook_urls_from_the_settings(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        found = Receiver()
        async with receiving(found) as url:
            services.settings = services.settings.model_copy(update={"alert_webhook_urls": [url]})
            alert_id = await fire_down(db, services)
        (body,) = found.received
        assert body["type"] == "alert.fired" and body["alert"]["id"] == alert_id
        (delivery,) = await deliveries(db)
        assert delivery.ok and delivery.channel_id is None


class TestIsolation:
    async def test_failing_and_hanging_channels_do_not_block_the_others(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        good, failing, hanging = Receiver(), Receiver(status=503), Receiver(hang=True)
        async with (
            receiving(good) as good_url,
            receiving(failing) as failing_url,
            receiving(hanging) as hanging_url,
        ):
            await webhook_channel(db, failing_url, name="a-failing")
            await webhook_channel(db, hanging_url, name="b-hanging")
            await webhook_channel(db, closed_port_url() + "/hook", name="c-closed")
            await webhook_channel(db, good_url, name="d-good")
            await fire_down(db, services)
        assert len(good.received) == 1
        results = {d.channel: (d.ok, d.error) for d in await deliveries(db)}
        assert results["d-good"] == (True, None)
        assert results["a-failing"] == (False, "HTTP 503")
        assert results["b-hanging"][0] is False
        assert "timed out" in (results["b-hanging"][1] or "")
        assert results["c-closed"][0] is False


class TestEmail:
    async def test_an_alert_by_smtp(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        smtp: tuple[Mailbox, int],
    ) -> None:
        box, port = smtp
        config = {
            "kind": "email",
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "username": None,
            "sender": "evodash@example.com",
            "to": ["ops@example.com", "oncall@example.com"],
        }
        await add_channel(db, services.settings, "mail", config)
        alert_id = await fire_down(db, services)
        (envelope,) = box.envelopes
        assert envelope.rcpt_tos == ["ops@example.com", "oncall@example.com"]
        message = message_from_bytes(envelope.content)
        assert message["Subject"].startswith("[evodash ALERT] down: ")
        assert f"/alerts?alert={alert_id}" in message.get_payload(decode=True).decode()
        (delivery,) = await deliveries(db)
        assert delivery.ok

    async def test_a_refused_connection_is_the_channels_result(
        self, db: async_sessionmaker[AsyncSession], services: Services
    ) -> None:
        config = {
            "kind": "email",
            "host": "127.0.0.1",
            "port": free_port(),
            "security": "none",
            "sender": "evodash@example.com",
            "to": ["ops@example.com"],
        }
        await add_channel(db, services.settings, "mail", config)
        await fire_down(db, services)
        (delivery,) = await deliveries(db)
        assert not delivery.ok and delivery.error


class TestWhatsApp:
    async def test_through_a_connected_instance_never_the_one_down(
        self,
        db: async_sessionmaker[AsyncSession],
        services: Services,
        running_simulator: RunningSimulator,
    ) -> None:
        sim = running_simulator
        await sim.create_instance("sender-0001")
        await sim.request("GET", "/instance/connect/sender-0001")
        await sim.scan("sender-0001", number="5511900000001")
        sender = await instance(
            db,
            services.settings,
            status=InstanceStatus.open,
            base_url=sim.base_url,
            api_key=sim.api_key,
            prefix="sender",
        )
        await add_channel(
            db,
            services.settings,
            "whatsapp",
            {"kind": "whatsapp", "instance_id": sender.id, "numbers": ["5521998765432"]},
        )
        await fire_down(db, services)
        summary = await sim.instance("sender-0001")
        assert summary is not None and len(summary["messages"]) == 1
        (delivery,) = await deliveries(db)
        assert delivery.ok, delivery.error

        # An alert about the sending instance itself is never sent through it.
        await transition(db, sender, "open", "close", ago(120))
        async with db() as session:
            from evodash.instances.models import EvolutionInstance

            row = await session.get(EvolutionInstance, sender.id)
            assert row is not None
            row.status = InstanceStatus.close.value
            await session.commit()
        await run_checks(services, now=NOW)
        last = (await deliveries(db))[-1]
        assert not last.ok
        assert "sending instance" in (last.error or "")
        assert len((await sim.instance("sender-0001") or {})["messages"]) == 1


class TestTestButton:
    async def test_send_a_test_alert_through_the_api(
        self,
        db: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: HeadersFor,
        smtp: tuple[Mailbox, int],
    ) -> None:
        box, port = smtp
        admin = await as_user(await users.admin())
        created = await client.post(
            "/api/alerts/channels",
            headers=admin,
            json={
                "name": "Ops mail",
                "config": {
                    "kind": "email",
                    "host": "127.0.0.1",
                    "port": port,
                    "security": "none",
                    "username": "ops",
                    "sender": "evodash@example.com",
                    "to": ["ops@example.com"],
                    "password": "smtp-secret-123",
                },
            },
        )
        assert created.status_code == 201, created.text
        channel = created.json()
        assert channel["password_set"] is True
        assert "smtp-secret-123" not in created.text
        async with db() as session:
            stored = await session.get(AlertChannel, channel["id"])
            assert stored is not None and "smtp-secret-123" not in (stored.secret_encrypted or "")

        # The server offers no AUTH: a channel with a user name fails, and says why.
        tested = await client.post(f"/api/alerts/channels/{channel['id']}/test", headers=admin)
        assert tested.status_code == 200
        assert tested.json()["ok"] is False
        patched = await client.patch(
            f"/api/alerts/channels/{channel['id']}",
            headers=admin,
            json={"config": {**channel["config"], "username": None, "password": None}},
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["password_set"] is False
        tested = await client.post(f"/api/alerts/channels/{channel['id']}/test", headers=admin)
        assert tested.json()["ok"] is True, tested.text
        (envelope,) = box.envelopes
        assert b"[evodash TEST]" in envelope.content

    async def test_a_whatsapp_channel_tests_through_its_instance_and_says_why_it_failed(
        self,
        db: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: HeadersFor,
        settings: Settings,
        running_simulator: RunningSimulator,
    ) -> None:
        sim = running_simulator
        await sim.create_instance("relay-0001")
        await sim.request("GET", "/instance/connect/relay-0001")
        await sim.scan("relay-0001", number="5511900000002")
        sender = await instance(
            db,
            settings,
            status=InstanceStatus.open,
            base_url=sim.base_url,
            api_key=sim.api_key,
            prefix="relay",
        )
        admin = await as_user(await users.admin())
        created = await client.post(
            "/api/alerts/channels",
            headers=admin,
            json={
                "name": "Plantão",
                "config": {
                    "kind": "whatsapp",
                    "instance_id": sender.id,
                    "numbers": ["5521998765432"],
                },
            },
        )
        assert created.status_code == 201, created.text
        test_url = f"/api/alerts/channels/{created.json()['id']}/test"

        tested = await client.post(test_url, headers=admin)
        assert tested.status_code == 200
        assert tested.json()["ok"] is True, tested.text
        assert len((await sim.instance("relay-0001") or {})["messages"]) == 1

        # The sending number became a zombie: the test fails, and says why.
        await sim.request(
            "POST", "/_sim/instances/relay-0001/zombie", {"on": True, "failAfterMs": 0}
        )
        tested = await client.post(test_url, headers=admin)
        assert tested.status_code == 200
        result = tested.json()
        assert result["ok"] is False
        assert "5521998765432" in result["error"] and "Timed Out" in result["error"]
        assert len((await sim.instance("relay-0001") or {})["messages"]) == 1
