"""Issue 11, finding 9: content PostgreSQL refuses is ordinary in WhatsApp text.

A NUL character, a lone UTF-16 surrogate (half an emoji) or the non-JSON numbers NaN and
Infinity in a webhook body gave a 500 on PostgreSQL and the message never appeared. They
are made storable in one place (:mod:`evodash.core.jsonsafe`) and the event is kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import UserFactory
from tests.webhooks.support import (
    InstanceFactory,
    applied_status,
    events,
    messages,
    post_event,
    text_message,
)

REPLACEMENT = "\ufffd"


@pytest.fixture
def instances(db: async_sessionmaker[AsyncSession]) -> InstanceFactory:
    return InstanceFactory(db)


@pytest.fixture
async def admin(
    users: UserFactory, as_user: Callable[..., Awaitable[dict[str, str]]]
) -> dict[str, str]:
    return await as_user(await users.admin())


def _raw_text_event(message_id: str, text_json: str) -> bytes:
    """A text event whose text is the raw JSON ``text_json`` (escapes kept as written)."""
    body = text_message(message_id, text_body="@@TEXT@@")
    import json

    return json.dumps(body).replace('"@@TEXT@@"', text_json).encode()


@pytest.mark.parametrize(
    ("text_json", "stored"),
    [
        ('"a\\u0000b"', f"a{REPLACEMENT}b"),
        ('"cut \\ud83d emoji"', f"cut {REPLACEMENT} emoji"),
        ('"tail \\udc00"', f"tail {REPLACEMENT}"),
        ('"a pair \\ud83d\\ude00 stays"', "a pair \U0001f600 stays"),
    ],
)
async def test_text_the_database_refuses_is_stored_cleaned(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    admin: dict[str, str],
    text_json: str,
    stored: str,
) -> None:
    hooked = await instances.create("acme-support")
    response = await post_event(client, hooked, _raw_text_event("NUL1", text_json))
    assert response.status_code == 200, response.text
    assert await applied_status(db, response) == "processed"
    [message] = await messages(db)
    assert message.text == stored
    detail = await client.get(f"/api/webhooks/events/{response.json()['event_id']}", headers=admin)
    assert detail.status_code == 200
    assert detail.json()["body"]["data"]["message"]["conversation"] == stored
    page = await client.get("/api/messages", headers=admin)
    assert page.status_code == 200 and page.json()["items"][0]["text"] == stored


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
async def test_non_json_numbers_become_null(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    admin: dict[str, str],
    number: str,
) -> None:
    hooked = await instances.create("acme-support")
    raw = _raw_text_event("NAN1", '"hello"').replace(
        b'"messageTimestamp": 1736950212', b'"messageTimestamp": ' + number.encode()
    )
    assert number.encode() in raw
    response = await post_event(client, hooked, raw)
    assert response.status_code == 200, response.text
    assert await applied_status(db, response) == "processed"
    [event] = await events(db)
    assert event.body["data"]["messageTimestamp"] is None
    [message] = await messages(db)
    assert message.text == "hello"  # stored, with the arrival time as its timestamp
    detail = await client.get(f"/api/webhooks/events/{event.id}", headers=admin)
    assert detail.status_code == 200


async def test_nul_in_keys_and_instance_events(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    hooked = await instances.create("acme-support")
    raw = (
        b'{"event": "connection.update", "instance": "acme-support", "data": {"state": '
        b'"open", "profileName": "Acme\\u0000 \\ud800", "odd\\u0000key": 1, '
        b'"wuid": "5511987654321@s.whatsapp.net"}, "date_time": "2025-01-15T11:00:00.000Z"}'
    )
    response = await post_event(client, hooked, raw)
    assert response.status_code == 200, response.text
    assert await applied_status(db, response) == "processed"
    [event] = await events(db)
    assert f"odd{REPLACEMENT}key" in event.body["data"]
    from tests.webhooks.support import instance_row

    instance = await instance_row(db, hooked.id)
    assert instance.status == "open"
    assert instance.profile_name == f"Acme{REPLACEMENT} {REPLACEMENT}"
