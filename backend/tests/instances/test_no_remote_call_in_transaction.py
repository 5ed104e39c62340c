"""Creating, importing and deleting an instance call Evolution with no transaction open.

While the request waits on Evolution it holds no database connection (no snapshot, and on
SQLite no write lock that webhooks would queue behind). Checked from inside Evolution's
answer: the connections the request's own task has checked out of the pool, then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from sqlalchemy import event

from evodash.core.config import Settings
from evodash.instances.models import InstanceStatus
from tests.fixtures import load_evolution_json
from tests.instances.helpers import add_instances, add_server, get_row

EVO = "http://evolution.test:8080"
KEY = "global-key-1234"

pytestmark = pytest.mark.commits


@pytest.fixture
def held(app: FastAPI) -> Iterator[dict[Any, asyncio.Task[Any] | None]]:
    """Pool connections checked out now, with the task that took each."""
    out: dict[Any, asyncio.Task[Any] | None] = {}
    pool = app.state.engine.sync_engine.pool

    def checkout(_: Any, record: Any, __: Any) -> None:
        try:
            out[record] = asyncio.current_task()
        except RuntimeError:
            out[record] = None

    def checkin(_: Any, record: Any) -> None:
        out.pop(record, None)

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    yield out
    event.remove(pool, "checkout", checkout)
    event.remove(pool, "checkin", checkin)


@pytest.fixture
def evolution() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=True) as router:
        yield router


def _answering(held: dict[Any, asyncio.Task[Any] | None], status: int, body: Any) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        mine = [r for r, task in held.items() if task is asyncio.current_task()]
        assert mine == [], f"{request.method} {request.url.path} with a connection held"
        return httpx.Response(status, json=body)

    return answer


def _response(name: str) -> Any:
    return load_evolution_json(f"responses/{name}")


async def test_create_calls_evolution_with_no_transaction_open(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    settings: Settings,
    db: Any,
    evolution: respx.MockRouter,
    held: dict[Any, asyncio.Task[Any] | None],
) -> None:
    server = await add_server(db, settings, EVO, KEY, name="evo")
    route = evolution.post(f"{EVO}/instance/create").mock(
        side_effect=_answering(held, 201, _response("instance-create.json"))
    )
    body = {"display_name": "Acme", "name": "acme-support", "server_id": server.id}
    response = await client.post("/api/instances", json=body, headers=admin)
    assert response.status_code == 201, response.text
    assert route.called
    # The webhook URL given to Evolution names the row written afterwards.
    sent = route.calls.last.request.content.decode()
    assert f"/api/webhooks/evolution/{response.json()['id']}" in sent


async def test_create_that_registers_the_server_writes_it_after_evolution(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    evolution: respx.MockRouter,
    held: dict[Any, asyncio.Task[Any] | None],
) -> None:
    evolution.post(f"{EVO}/instance/create").mock(
        side_effect=_answering(held, 201, _response("instance-create.json"))
    )
    body = {
        "display_name": "Acme",
        "name": "acme-support",
        "evolution_url": EVO,
        "api_key": KEY,
    }
    response = await client.post("/api/instances", json=body, headers=admin)
    assert response.status_code == 201, response.text
    servers = (await client.get("/api/servers", headers=admin)).json()["items"]
    assert [s["base_url"] for s in servers] == [EVO]


async def test_import_calls_evolution_with_no_transaction_open(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    settings: Settings,
    db: Any,
    evolution: respx.MockRouter,
    held: dict[Any, asyncio.Task[Any] | None],
) -> None:
    server = await add_server(db, settings, EVO, KEY, name="evo")
    found = _response("fetch-instances.json")
    name = found[0]["name"]
    evolution.get(f"{EVO}/instance/fetchInstances").mock(side_effect=_answering(held, 200, found))
    evolution.post(url__startswith=f"{EVO}/webhook/set/").mock(
        side_effect=_answering(held, 201, _response("webhook-set.json"))
    )
    body = {"server_id": server.id, "instances": [{"name": name}]}
    response = await client.post("/api/instances/import", json=body, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 1


async def test_delete_calls_evolution_with_no_transaction_open(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    settings: Settings,
    db: Any,
    evolution: respx.MockRouter,
    held: dict[Any, asyncio.Task[Any] | None],
) -> None:
    server = await add_server(db, settings, EVO, KEY, name="evo")
    [instance] = await add_instances(db, server, status=InstanceStatus.open)
    evolution.delete(url__startswith=f"{EVO}/instance/delete/").mock(
        side_effect=_answering(held, 200, _response("delete.json"))
    )
    response = await client.delete(f"/api/instances/{instance.id}?keep_history=true", headers=admin)
    assert response.status_code in (200, 204), response.text
    assert (await get_row(db, instance.id)).deleted_at is not None
