"""``/_sim/sinks``: a forwarding destination that answers the status it is told to."""

from __future__ import annotations

import httpx

from tests.simulator.conftest import GLOBAL


async def test_sink_answers_its_status_and_keeps_what_it_got(evo: httpx.AsyncClient) -> None:
    first = await evo.post(
        "/_sim/sinks/crm", json={"event": "messages.upsert", "n": 1}, headers={"X-Api-Key": "k1"}
    )
    assert first.status_code == 200  # no key needed: it plays a third party
    failing = await evo.put("/_sim/sinks/crm", json={"status": 503}, headers=GLOBAL)
    assert failing.json()["status"] == 503
    second = await evo.post("/_sim/sinks/crm", json={"n": 2})
    assert second.status_code == 503
    seen = (await evo.get("/_sim/sinks/crm", headers=GLOBAL)).json()
    assert seen["received"] == [{"event": "messages.upsert", "n": 1}, {"n": 2}]
    # Each body's headers, names lower case: a relay's secret header can be checked.
    assert [h.get("x-api-key") for h in seen["headers"]] == ["k1", None]
    assert (await evo.get("/_sim/sinks/crm")).status_code == 401
    assert (await evo.put("/_sim/sinks/crm", json={"status": 200})).status_code == 401
