"""Issue 11, finding 11: deeply nested webhook JSON.

A body nested ~940 levels deep gave a 500, and one nested ~900 levels was stored and then
broke its detail page for good. Nesting is limited when the body is parsed (4xx with the
reason); nothing is stored that could not be shown again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.webhooks.receiver import MAX_JSON_DEPTH
from tests.factories import UserFactory
from tests.webhooks.support import InstanceFactory, events, post_event


@pytest.fixture
def instances(db: async_sessionmaker[AsyncSession]) -> InstanceFactory:
    return InstanceFactory(db)


def _nested(levels: int, *, array: bool = False) -> bytes:
    """An envelope whose ``data`` nests ``levels`` objects (or arrays) deep."""
    inner = b"[" * levels + b"]" * levels if array else b'{"a":' * levels + b"1" + b"}" * levels
    return b'{"event": "messages.upsert", "instance": "acme-support", "data": ' + inner + b"}"


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH, 900, 940, 5000, 100_000])
@pytest.mark.parametrize("array", [False, True])
async def test_too_deep_is_422_with_a_reason_and_stores_nothing(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    levels: int,
    array: bool,
) -> None:
    hooked = await instances.create("acme-support")
    response = await post_event(client, hooked, _nested(levels, array=array))
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "not_an_evolution_event"
    assert f"deeper than {MAX_JSON_DEPTH} levels" in response.json()["detail"]
    assert await events(db) == []


async def test_nesting_within_the_limit_is_stored_and_shown(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    users: UserFactory,
    as_user: Callable[..., Awaitable[dict[str, str]]],
) -> None:
    hooked = await instances.create("acme-support")
    response = await post_event(client, hooked, _nested(MAX_JSON_DEPTH - 2))
    assert response.status_code == 200, response.text
    [event] = await events(db)
    admin = await as_user(await users.admin())
    detail = await client.get(f"/api/webhooks/events/{event.id}", headers=admin)
    assert detail.status_code == 200
    listed = await client.get("/api/webhooks/events", headers=admin)
    assert listed.status_code == 200 and listed.json()["items"][0]["id"] == event.id
