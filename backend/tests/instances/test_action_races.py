"""An action and the webhook its own Evolution call triggers: one transition, not two.

Evolution answers ``/instance/connect`` and, at the same moment, posts
``connection.update connecting`` to evodash. The webhook can be applied while the action
is still waiting for its answer; the action must then see the state the webhook set, not
the one it read before the call, or the history shows "Conectando de Criada" twice.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.instances.models import InstanceStatus
from evodash.webhooks import SECRET_HEADER
from tests.fixtures import load_evolution_json
from tests.instances.helpers import (
    add_instances,
    add_server,
    events_of,
    get_row,
    webhook_secret_of,
)

EVO = "http://evolution.test:8080"
KEY = "global-key-1234"


@pytest.fixture
def evolution() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=True) as router:
        yield router


def _response(name: str) -> object:
    return load_evolution_json(f"responses/{name}")


@pytest.mark.parametrize(
    ("action", "route", "answer", "webhook_state", "expected"),
    [
        ("connect", ("GET", "/instance/connect/"), "connect.json", "connecting", "connecting"),
        ("disconnect", ("DELETE", "/instance/logout/"), "logout.json", "close", "close"),
        ("restart", ("POST", "/instance/restart/"), "restart.json", "connecting", "connecting"),
    ],
)
async def test_webhook_during_the_call_is_not_recorded_twice(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    evolution: respx.MockRouter,
    action: str,
    route: tuple[str, str],
    answer: str,
    webhook_state: str,
    expected: str,
) -> None:
    server = await add_server(db, settings, EVO, KEY, name="evo")
    start = InstanceStatus.created if action == "connect" else InstanceStatus.open
    [instance] = await add_instances(db, server, status=start, evolution_id="abc")
    method, prefix = route

    async def answer_after_the_webhook(request: httpx.Request) -> httpx.Response:
        # Evolution's webhook arrives (and is applied) before its answer to the call.
        delivered = await client.post(
            f"/api/webhooks/evolution/{instance.id}",
            json={
                "event": "connection.update",
                "instance": instance.name,
                "data": {"instance": instance.name, "state": webhook_state, "statusReason": 200},
                "date_time": "2026-01-15T11:00:41.611Z",
            },
            headers={SECRET_HEADER: webhook_secret_of(instance)},
        )
        assert delivered.status_code == 200, delivered.text
        await app.state.webhook_tasks.settle()
        return httpx.Response(200, json=_response(answer))

    evolution.route(method=method, url__startswith=f"{EVO}{prefix}").mock(
        side_effect=answer_after_the_webhook
    )
    response = await client.post(f"/api/instances/{instance.id}/{action}", headers=admin)
    assert response.status_code == 200, response.text

    assert (await get_row(db, instance.id)).status == expected
    assert await events_of(db, instance.id) == [expected]
