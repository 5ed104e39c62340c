"""The typed Evolution client against the simulator, over real HTTP on loopback.

The respx tests prove the client maps every recorded answer; these prove that the client
and the simulator agree end to end, call by call, through a whole instance lifecycle.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest

from evodash.evolution import (
    ConnectOutcome,
    EvolutionClient,
    EvolutionConflict,
    EvolutionNotFound,
    EvolutionRejected,
    EvolutionUnauthorized,
    InstanceSettings,
    WebhookConfig,
)
from tests import loopback
from tests.qr import decode_qr
from tests.simulator_server import RunningSimulator


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback.client() as client:
        yield client


@pytest.fixture
def client(http: httpx.AsyncClient, running_simulator: RunningSimulator) -> EvolutionClient:
    return EvolutionClient(
        http, running_simulator.base_url, running_simulator.api_key, timeout=10, read_retries=0
    )


async def test_whole_lifecycle(
    client: EvolutionClient, running_simulator: RunningSimulator
) -> None:
    info = await client.root()
    assert info.version == "2.3.6"

    created = await client.create_instance(
        "it-lifecycle",
        webhook=WebhookConfig(
            url="http://127.0.0.1:9/hook",
            events=["MESSAGES_UPSERT"],
            headers={"x-evodash-secret": "s"},
            base64=True,
        ),
    )
    assert created.token
    with pytest.raises(EvolutionConflict):
        await client.create_instance("it-lifecycle")

    listed = await client.fetch_instances("it-lifecycle")
    assert [i.name for i in listed] == ["it-lifecycle"]
    assert (await client.connection_state("it-lifecycle")).state == "close"

    qr = await client.connect("it-lifecycle")
    assert qr.outcome is ConnectOutcome.QR_CODE
    assert qr.base64 and decode_qr(qr.base64) == qr.code
    assert (await client.connection_state("it-lifecycle")).state == "connecting"

    await running_simulator.scan("it-lifecycle")
    assert (await client.connection_state("it-lifecycle")).state == "open"
    again = await client.connect("it-lifecycle")
    assert again.outcome is ConnectOutcome.ALREADY_OPEN

    hook = await client.find_webhook("it-lifecycle")
    assert hook is not None and hook.url == "http://127.0.0.1:9/hook"
    settings = await client.set_settings(
        "it-lifecycle", InstanceSettings(reject_call=True, msg_call="Só mensagens")
    )
    assert settings.reject_call is True
    found = await client.find_settings("it-lifecycle")
    assert found is not None and found.msg_call == "Só mensagens"

    sent = await client.send_text("it-lifecycle", "5511912345678", "Olá!")
    assert sent.key.id and sent.key.from_me is True
    assert sent.key.remote_jid.endswith("@s.whatsapp.net")

    await client.logout("it-lifecycle")
    assert (await client.connection_state("it-lifecycle")).state == "close"
    with pytest.raises(EvolutionRejected):
        await client.logout("it-lifecycle")  # "is not connected", as the real server says

    await client.delete("it-lifecycle")
    with pytest.raises(EvolutionNotFound):
        await client.connection_state("it-lifecycle")


async def test_pairing_code(client: EvolutionClient) -> None:
    await client.create_instance("it-pairing")
    result = await client.connect("it-pairing", number="5511987654321")
    assert result.outcome is ConnectOutcome.PAIRING_CODE
    assert result.pairing_code and len(result.pairing_code) == 8


async def test_inbound_image_can_be_downloaded(
    client: EvolutionClient, running_simulator: RunningSimulator
) -> None:
    await client.create_instance("it-media")
    await client.connect("it-media")
    await running_simulator.scan("it-media")
    sent = await running_simulator.request(
        "POST",
        "/_sim/instances/it-media/messages",
        {"from": "5511987654321", "type": "image", "image": {"kind": "pix", "amount": "10.00"}},
    )
    media = await client.get_base64_from_media_message("it-media", message_id=sent["id"])
    assert media.media_type == "imageMessage"
    assert media.mimetype.startswith("image/")
    raw = base64.b64decode(media.base64)
    assert raw[:3] == b"\xff\xd8\xff" or raw[:4] == b"\x89PNG"


async def test_wrong_key_is_unauthorized(
    http: httpx.AsyncClient, running_simulator: RunningSimulator
) -> None:
    client = EvolutionClient(
        http, running_simulator.base_url, "wrong-key", timeout=5, read_retries=0
    )
    with pytest.raises(EvolutionUnauthorized):
        await client.fetch_instances()
