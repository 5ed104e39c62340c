"""Every webhook example of tests/fixtures/evolution through the endpoint, then shuffled."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.instances.models import ConnectionEvent
from evodash.jobs.models import ImageProcessingJob
from evodash.webhooks.lifecycle import DELETED_NOTE
from tests.webhooks.support import (
    Hooked,
    InstanceFactory,
    applied_status,
    events,
    instance_row,
    messages,
    payloads,
    post_event,
    snapshot,
)

IMAGE_ID = "B7E2D4F6A8C0E1F3A5B7C9D1E3F5A7B9"


async def _instances(instances: InstanceFactory) -> dict[str, Hooked]:
    return {
        "acme-support": await instances.create("acme-support"),
        "rec-hook": await instances.create("rec-hook"),
    }


async def _post_all(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    hooked: dict[str, Hooked],
    items: list[tuple[str, dict[str, Any]]],
) -> list[str]:
    """Post every item, one after the other; how applying each went."""
    responses = []
    for name, body in items:
        response = await post_event(client, hooked[body["instance"]], body)
        assert response.status_code == 200, f"{name}: {response.text}"
        responses.append(response)
    return [await applied_status(db, r) for r in responses]


@pytest.fixture
def examples() -> list[tuple[str, dict[str, Any]]]:
    found = payloads()
    assert len(found) >= 28, [n for n, _ in found]
    return found


async def test_every_example_gives_the_expected_rows(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    examples: list[tuple[str, dict[str, Any]]],
) -> None:
    hooked = await _instances(instances)
    statuses = await _post_all(client, db, hooked, examples)
    assert "failed" not in statuses and "received" not in statuses

    stored = {m.message_id: m for m in await messages(db)}
    assert set(stored) == {
        "A5F3C2B1D4E6F7A8B9C0D1E2F3A4B5C6",  # text (then deleted)
        "3A9D1C7B5E3F2A4B6C8D",  # reply
        "3AF81C2D4E6A8B0C1D3E",  # group
        "3A0B7C2E9D4F6A1B3C5D",  # typed on the phone
        IMAGE_ID,  # one image, delivered in three serializations
        "3EB0C5A8F1D2E3B4A5C6D7",  # sent through the API, then delivered
    }
    text = stored["A5F3C2B1D4E6F7A8B9C0D1E2F3A4B5C6"]
    assert (text.message_type, text.text, text.direction) == (
        "text",
        "Oi! Vocês abrem amanhã?",
        "in",
    )
    assert text.remote_jid == "182736455463728@lid"
    assert text.sender_phone == "+5521998765432"  # resolved through remoteJidAlt
    assert text.deleted_at is not None  # the delete arrived first and waited for it
    assert text.is_allowed  # empty allow-list

    reply = stored["3A9D1C7B5E3F2A4B6C8D"]
    assert reply.text == "Perfeito, obrigada!" and reply.raw["contextInfo"]["stanzaId"]

    group = stored["3AF81C2D4E6A8B0C1D3E"]
    assert group.is_group and group.participant == "182736455463728@lid"
    assert group.sender_phone == "+5521998765432"  # from participantAlt

    mine = stored["3A0B7C2E9D4F6A1B3C5D"]
    assert (mine.direction, mine.from_me, mine.status) == ("out", True, "SERVER_ACK")
    assert mine.sender_phone == "+5511987654321"  # the instance's own number

    image = stored[IMAGE_ID]
    assert (image.message_type, image.media_mimetype, image.text) == (
        "image",
        "image/jpeg",
        "Comprovante do pedido 4812",
    )
    assert "base64" not in image.raw["message"]
    assert image.wa_timestamp.timestamp() == 1736950512

    sent = stored["3EB0C5A8F1D2E3B4A5C6D7"]
    assert (sent.direction, sent.status, sent.text) == (
        "out",
        "DELIVERY_ACK",
        "Sim, das 9h às 18h.",
    )

    # The inbox keeps the raw event, base64 included.
    inbox = await events(db)
    assert len(inbox) == len(examples)
    with_media = [e for e in inbox if "base64" in (e.body.get("data") or {}).get("message", {})]
    assert len(with_media) == 1
    assert {e.status for e in inbox} <= {"processed", "ignored"}

    async with db() as session:
        jobs = (await session.scalars(select(ImageProcessingJob))).all()
        assert [j.message_id for j in jobs] == [image.id]
        transitions = (await session.scalar(select(func.count()).select_from(ConnectionEvent))) or 0
        assert transitions >= 2

    acme = await instance_row(db, hooked["acme-support"].id)
    # The newest events are the removal (after logout/close with 401).
    assert acme.status == "close"
    assert acme.last_error == DELETED_NOTE
    assert acme.disconnection_reason == 401
    assert acme.last_qr is None
    rec = await instance_row(db, hooked["rec-hook"].id)
    assert rec.status == "close" and rec.last_error == DELETED_NOTE


async def test_replaying_everything_shuffled_changes_nothing(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    examples: list[tuple[str, dict[str, Any]]],
) -> None:
    hooked = await _instances(instances)
    await _post_all(client, db, hooked, examples)
    before = await snapshot(db)
    assert before["whatsapp_message"] and before["connection_event"]

    for seed in (1, 2):
        shuffled = list(examples)
        random.Random(seed).shuffle(shuffled)
        statuses = await _post_all(client, db, hooked, shuffled)
        assert "failed" not in statuses
        assert await snapshot(db) == before
    assert len(await events(db)) == 3 * len(examples)


def _semantic(rows: list[Any], instance_id: int) -> list[tuple[Any, ...]]:
    return sorted(
        (
            m.message_id,
            m.direction,
            m.message_type,
            m.text,
            m.status,
            m.deleted_at is not None,
            m.is_allowed,
            m.sender_phone,
        )
        for m in rows
        if m.instance_id == instance_id
    )


async def _state(db: async_sessionmaker[AsyncSession], hooked: Hooked) -> tuple[Any, ...]:
    i = await instance_row(db, hooked.id)
    return (i.status, i.last_error, i.disconnection_reason, i.last_qr, i.owner_jid)


async def test_arrival_order_does_not_matter(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    examples: list[tuple[str, dict[str, Any]]],
) -> None:
    """Posted in opposite orders to twin instances: the same messages and final states."""
    forward = await _instances(instances)
    backward = {
        name: await instances.create(name, server_url="http://other-evolution.test")
        for name in forward
    }
    await _post_all(client, db, forward, examples)
    await _post_all(client, db, backward, list(reversed(examples)))
    rows = await messages(db)
    for name in forward:
        assert _semantic(rows, forward[name].id) == _semantic(rows, backward[name].id)
        assert await _state(db, forward[name]) == await _state(db, backward[name])
