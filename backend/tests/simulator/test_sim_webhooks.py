"""Webhook delivery over real HTTP on loopback: the simulator and a receiver, both served
by uvicorn on free 127.0.0.1 ports of the test's event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from jose import jwt

from evodash.simulator import RetryPolicy, create_simulator_app, get_simulator
from evodash.simulator.events import EVENT_NAMES
from evodash.simulator.service import Simulator
from tests import loopback
from tests.live import free_port
from tests.simulator.conftest import GLOBAL, GLOBAL_KEY, Receiver, serve


@dataclass
class Live:
    client: httpx.AsyncClient
    sim: Simulator
    receiver: Receiver
    hook: str  # base URL of the receiver


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    receiver = Receiver()
    app = create_simulator_app(
        api_key=GLOBAL_KEY,
        public_url="http://sim.test",
        retry=RetryPolicy(max_attempts=3, initial_delay=0.02, max_delay=0.05, timeout=2),
        receipt_delay=None,
    )
    async with (
        serve(receiver.app) as hook_base,
        serve(app) as sim_base,
        loopback.client(base_url=sim_base, timeout=10) as client,
    ):
        yield Live(client, get_simulator(app), receiver, hook_base)


async def _create(live: Live, name: str, **webhook: Any) -> dict[str, Any]:
    body = {
        "instanceName": name,
        "integration": "WHATSAPP-BAILEYS",
        "webhook": {"url": f"{live.hook}/hook", "events": [], **webhook},
    }
    response = await live.client.post("/instance/create", json=body, headers=GLOBAL)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_envelope_and_forwarded_headers(live: Live) -> None:
    created = await _create(live, "hdr", headers={"x-webhook-secret": "s3cr3t", "X-Tenant": "7"})
    [got] = await live.receiver.wait_event("instance.create")
    assert got.path == "/hook"
    assert got.headers["x-webhook-secret"] == "s3cr3t"
    assert got.headers["x-tenant"] == "7"
    assert got.headers["user-agent"] == "axios/1.12.2"
    assert got.headers["content-type"] == "application/json"
    assert list(got.body) == [
        "event",
        "instance",
        "data",
        "destination",
        "date_time",
        "server_url",
        "apikey",
    ]
    assert got.body["data"] == {
        "instanceName": "hdr",
        "instanceId": created["instance"]["instanceId"],
    }
    assert got.body["destination"] == f"{live.hook}/hook"
    assert got.body["server_url"] == "http://sim.test"
    assert got.body["apikey"] == created["hash"]
    assert got.body["date_time"].endswith("Z")


async def test_by_events_appends_kebab_case_suffixes(live: Live) -> None:
    await _create(live, "byev", byEvents=True)
    await live.client.get("/instance/connect/byev", headers=GLOBAL)
    await live.receiver.wait_for(lambda reqs: len(reqs) >= 3)
    paths = {r.body["event"]: r.path for r in live.receiver.requests}
    assert paths == {
        "instance.create": "/hook/instance-create",
        "connection.update": "/hook/connection-update",
        "qrcode.updated": "/hook/qrcode-updated",
    }
    # destination keeps the base URL
    assert {r.body["destination"] for r in live.receiver.requests} == {f"{live.hook}/hook"}


async def test_retries_5xx_then_succeeds(live: Live) -> None:
    live.receiver.script["/hook"].extend([500, 503])
    await _create(live, "retry", events=["INSTANCE_CREATE"])
    got = await live.receiver.wait_event("instance.create", count=3)
    assert [r.status for r in got] == [500, 503, 200]
    assert len({r.body["date_time"] for r in got}) == 1  # the same payload re-sent
    await live.sim.webhooks.drain()
    [record] = live.sim.state.deliveries
    assert record.attempts == 3 and record.delivered and record.statuses == [500, 503, 200]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_no_retry_on_non_retryable_status(live: Live, status: int) -> None:
    live.receiver.script["/hook"].append(status)
    await _create(live, "noretry", events=["INSTANCE_CREATE"])
    await live.receiver.wait_event("instance.create")
    await live.sim.webhooks.drain()
    await asyncio.sleep(0.1)  # longer than any retry delay of this policy
    assert len(live.receiver.events("instance.create")) == 1
    [record] = live.sim.state.deliveries
    assert record.attempts == 1 and not record.delivered and record.done


async def test_retries_429_and_network_errors(live: Live) -> None:
    live.receiver.script["/hook"].extend([429, 429, 429])
    await _create(live, "throttled", events=["INSTANCE_CREATE"])
    await live.sim.webhooks.drain()
    [record] = live.sim.state.deliveries
    assert record.statuses == [429, 429, 429] and not record.delivered

    dead = f"http://127.0.0.1:{free_port()}/nobody"
    body = {"webhook": {"enabled": True, "url": dead, "events": ["CONNECTION_UPDATE"]}}
    assert (await live.client.post("/webhook/set/throttled", json=body, headers=GLOBAL)).is_success
    await live.client.get("/instance/connect/throttled", headers=GLOBAL)
    await live.sim.webhooks.drain()
    record = live.sim.state.deliveries[-1]
    assert record.url == dead and record.attempts == 3
    assert all(isinstance(s, str) for s in record.statuses)  # ConnectError names


async def test_only_subscribed_events_are_sent(live: Live) -> None:
    await _create(live, "subs", events=["QRCODE_UPDATED"])
    await live.client.get("/instance/connect/subs", headers=GLOBAL)
    await live.receiver.wait_event("qrcode.updated")
    await live.sim.webhooks.drain()
    assert {r.body["event"] for r in live.receiver.requests} == {"qrcode.updated"}


async def test_empty_event_list_means_all(live: Live) -> None:
    await _create(live, "all")
    found = await live.client.get("/webhook/find/all", headers=GLOBAL)
    assert found.json()["events"] == list(EVENT_NAMES)
    await live.client.get("/instance/connect/all", headers=GLOBAL)
    await live.receiver.wait_for(lambda reqs: len(reqs) >= 3)
    assert {r.body["event"] for r in live.receiver.requests} == {
        "instance.create",
        "connection.update",
        "qrcode.updated",
    }


async def test_disabled_webhook_sends_nothing(live: Live) -> None:
    await _create(live, "off")
    await live.receiver.wait_event("instance.create")
    body = {"webhook": {"enabled": False, "url": f"{live.hook}/hook"}}
    disabled = await live.client.post("/webhook/set/off", json=body, headers=GLOBAL)
    assert disabled.json()["enabled"] is False and disabled.json()["events"] == []
    await live.client.get("/instance/connect/off", headers=GLOBAL)
    await live.sim.webhooks.drain()
    assert len(live.receiver.requests) == 1


async def test_jwt_key_header_becomes_a_bearer_token(live: Live) -> None:
    await _create(live, "jwt", headers={"jwt_key": "hook-secret"}, events=["INSTANCE_CREATE"])
    [got] = await live.receiver.wait_event("instance.create")
    assert "jwt_key" not in got.headers
    token = got.headers["authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, "hook-secret", algorithms=["HS256"])
    assert claims["app"] == "evolution" and claims["action"] == "webhook"
    assert claims["exp"] - claims["iat"] == 600


async def test_deliveries_do_not_block_the_api(live: Live) -> None:
    """The API answers while every webhook delivery is stuck at a receiver that hangs."""
    live.receiver.gate.clear()
    await _create(live, "slow")
    connect = await live.client.get("/instance/connect/slow", headers=GLOBAL)
    assert connect.status_code == 200
    assert live.receiver.requests == []  # nothing delivered yet: the API did not wait
    await live.receiver.wait_for(lambda _: live.receiver.waiting >= 1)
    live.receiver.gate.set()
    got = await live.receiver.wait_for(lambda reqs: len(reqs) >= 3, within=5)
    assert len(got) >= 3


async def test_hang_fault_times_out_the_client(live: Live) -> None:
    fault = {"route": "/instance/connectionState/*", "hang": True, "times": 1}
    assert (await live.client.post("/_sim/faults", json=fault, headers=GLOBAL)).status_code == 201
    await _create(live, "hang")
    with pytest.raises(httpx.ReadTimeout):
        await live.client.get("/instance/connectionState/hang", headers=GLOBAL, timeout=0.3)
    again = await live.client.get("/instance/connectionState/hang", headers=GLOBAL)
    assert again.json() == {"instance": {"instanceName": "hang", "state": "close"}}


async def test_serving_leaves_uvicorn_s_log_levels_as_they_were() -> None:
    """The servers of these tests share the worker with every other test: one that set
    uvicorn's loggers to WARNING hid uvicorn's lines from the tests that check them."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    before = [logging.getLogger(name).level for name in names]
    async with serve(Receiver().app) as base, loopback.client(base_url=base) as client:
        assert (await client.post("/hook", json={"event": "ping"})).is_success
    assert [logging.getLogger(name).level for name in names] == before


async def test_a_flush_for_one_instance_does_not_wait_for_another_s(live: Live) -> None:
    """``/_sim/webhooks/flush?instance=`` waits for that instance's deliveries only: a
    journey need not sit out another instance's retries."""
    stuck = Receiver()
    stuck.gate.clear()  # every delivery to it hangs
    async with serve(stuck.app) as stuck_base:
        body = {
            "instanceName": "stuck",
            "integration": "WHATSAPP-BAILEYS",
            "webhook": {"url": f"{stuck_base}/hook", "events": ["INSTANCE_CREATE"]},
        }
        assert (await live.client.post("/instance/create", json=body, headers=GLOBAL)).is_success
        await stuck.wait_for(lambda _: stuck.waiting >= 1)
        await _create(live, "free", events=["INSTANCE_CREATE"])

        flush = "/_sim/webhooks/flush"
        mine = await live.client.post(flush, params={"instance": "free"}, headers=GLOBAL)
        assert mine.json() == {"done": True, "pending": 0}
        assert len(live.receiver.events("instance.create")) == 1
        theirs = await live.client.post(
            flush, params={"instance": "stuck", "wait": 0.1}, headers=GLOBAL
        )
        assert theirs.json() == {"done": False, "pending": 1}
        everyone = await live.client.post(flush, params={"wait": 0.1}, headers=GLOBAL)
        assert everyone.json() == {"done": False, "pending": 1}
        stuck.gate.set()
        everyone = await live.client.post(flush, headers=GLOBAL)
        assert everyone.json() == {"done": True, "pending": 0}
