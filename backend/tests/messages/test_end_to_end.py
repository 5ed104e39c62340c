"""evodash and the Evolution simulator over real loopback HTTP: webhooks in, sendText out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.evolution import RECOMMENDED_WEBHOOK_EVENTS
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import WhatsAppMessage
from evodash.simulator import RetryPolicy, create_simulator_app
from evodash.webhooks import SECRET_HEADER
from tests import loopback
from tests.live import serve
from tests.webhooks.support import Hooked, InstanceFactory, instance_row, messages

GLOBAL_KEY = "e2e-global-key"
SIM = {"apikey": GLOBAL_KEY}
# The simulator calls evodash back over real HTTP while the test runs: real commits.
pytestmark = pytest.mark.commits


@dataclass
class Live:
    sim: httpx.AsyncClient
    evodash_url: str
    sim_url: str
    app: FastAPI

    async def flush(self) -> None:
        """Wait until the simulator delivered its webhooks and evodash applied them."""
        response = await self.sim.post("/_sim/webhooks/flush", params={"wait": 10}, headers=SIM)
        assert response.json()["done"], response.text
        await self.app.state.webhook_tasks.settle()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The webhook applier runs in the background, as in production.
    return settings.model_copy(update={"background_tasks": True})


@pytest.fixture
async def live(app: FastAPI) -> AsyncIterator[Live]:
    simulator = create_simulator_app(
        api_key=GLOBAL_KEY,
        public_url="http://sim.test",
        retry=RetryPolicy(max_attempts=3, initial_delay=0.02, max_delay=0.05, timeout=10),
        receipt_delay=0.05,
    )
    async with (
        serve(app) as evodash,
        serve(simulator, lifespan="on") as sim,
        loopback.client(base_url=sim.url, timeout=20) as client,
    ):
        yield Live(client, evodash.url, sim.url, app)


async def _eventually(check: Callable[[], Awaitable[bool]], tries: int = 200) -> None:
    for _ in range(tries):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never became true")


async def _connected_instance(live: Live, instances: InstanceFactory) -> Hooked:
    hooked = await instances.create("acme-e2e", server_url=live.sim_url, server_key=GLOBAL_KEY)
    created = await live.sim.post(
        "/instance/create",
        json={
            "instanceName": hooked.name,
            "integration": "WHATSAPP-BAILEYS",
            "qrcode": True,
            "webhook": {
                "url": f"{live.evodash_url}/api/webhooks/evolution/{hooked.id}",
                "headers": {SECRET_HEADER: hooked.secret},
                "events": list(RECOMMENDED_WEBHOOK_EVENTS),
                "byEvents": False,
                "base64": True,
            },
        },
        headers=SIM,
    )
    assert created.status_code == 201, created.text
    return hooked


async def test_qr_connection_inbound_sending_receipts_and_delete(
    client: httpx.AsyncClient,
    live: Live,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    operator_headers: dict[str, str],
) -> None:
    hooked = await _connected_instance(live, instances)
    await live.flush()
    waiting = await instance_row(db, hooked.id)
    assert waiting.status == "connecting"
    assert waiting.last_qr and waiting.last_qr.startswith("data:image/png;base64,")

    scan = await live.sim.post(
        f"/_sim/instances/{hooked.name}/scan",
        json={"number": "5511987654321", "profileName": "Acme"},
        headers=SIM,
    )
    assert scan.status_code == 200, scan.text
    await live.flush()
    opened = await instance_row(db, hooked.id)
    assert (opened.status, opened.owner_jid, opened.profile_name, opened.last_qr) == (
        "open",
        "5511987654321@s.whatsapp.net",
        "Acme",
        None,
    )

    text = await live.sim.post(
        f"/_sim/instances/{hooked.name}/messages",
        json={"from": "5521998765432", "pushName": "Maria", "type": "text", "text": "Oi"},
        headers=SIM,
    )
    image = await live.sim.post(
        f"/_sim/instances/{hooked.name}/messages",
        json={
            "from": "5521998765432",
            "type": "image",
            "caption": "boleto",
            "image": {"kind": "pix"},
        },
        headers=SIM,
    )
    assert text.status_code == image.status_code == 201
    await live.flush()
    stored = {m.message_id: m for m in await messages(db)}
    text_id, image_id = text.json()["id"], image.json()["id"]
    assert stored[text_id].text == "Oi" and stored[text_id].sender_phone == "+5521998765432"
    assert stored[image_id].message_type == "image"
    async with db() as session:
        jobs = (await session.scalars(select(ImageProcessingJob))).all()
    assert [j.message_id for j in jobs] == [stored[image_id].id]

    sent = await client.post(
        f"/api/instances/{hooked.id}/messages",
        json={"number": "+55 21 99876-5432", "text": "Recebido, obrigado!"},
        headers=operator_headers,
    )
    assert sent.status_code == 201, sent.text
    sent_id = sent.json()["message_id"]
    assert (sent.json()["direction"], sent.json()["text"]) == ("out", "Recebido, obrigado!")

    async def read() -> bool:
        async with db() as session:
            rows = (
                await session.scalars(
                    select(WhatsAppMessage).where(WhatsAppMessage.message_id == sent_id)
                )
            ).all()
        assert len(rows) == 1  # our row and the send.message webhook are one message
        return rows[0].status == "READ"

    await _eventually(read)

    deleted = await live.sim.delete(
        f"/_sim/instances/{hooked.name}/messages/{text_id}", headers=SIM
    )
    assert deleted.status_code == 200, deleted.text
    await live.flush()
    assert {m.message_id: m for m in await messages(db)}[text_id].deleted_at is not None


async def test_send_errors_are_mapped(
    client: httpx.AsyncClient,
    live: Live,
    instances: InstanceFactory,
    operator_headers: dict[str, str],
    viewer_headers: dict[str, str],
) -> None:
    hooked = await _connected_instance(live, instances)
    url = f"/api/instances/{hooked.id}/messages"
    body: dict[str, Any] = {"number": "5521998765432", "text": "oi"}
    # Not connected yet: Evolution answers 500 "Connection Closed", a state conflict.
    response = await client.post(url, json=body, headers=operator_headers)
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "instance_not_connected"
    assert (await client.post(url, json=body, headers=viewer_headers)).status_code == 403
    bad = await client.post(url, json={**body, "number": "hello"}, headers=operator_headers)
    assert bad.status_code == 422
    missing = await client.post(
        "/api/instances/999999/messages", json=body, headers=operator_headers
    )
    assert missing.status_code == 404
