"""SQLite: the applier reads a batch's events before it takes the write lock, where every
acknowledgement waits for it, and reads an event again when the instance's own JID
changed in between (the messages it sends are told apart by that JID)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.evolution import webhooks as wire
from evodash.instances.models import EvolutionInstance
from evodash.webhooks import handlers
from tests.webhooks.support import InstanceFactory, messages, post_event, settle, text_message

OWN = "5521911112222"


def _sent_by_us(message_id: str) -> dict[str, Any]:
    """``send.message`` without the envelope's ``sender``: only the instance's own JID
    says who sent it."""
    body = text_message(message_id)
    body["event"] = "send.message"
    body["data"]["key"].update(fromMe=True, remoteJid="5511987654321@s.whatsapp.net")
    body.pop("sender", None)
    return body


def _opened(instance: str) -> dict[str, Any]:
    data = {"instance": instance, "state": "open", "statusReason": 200}
    data["wuid"] = f"{OWN}@s.whatsapp.net"
    return {
        "event": "connection.update",
        "instance": instance,
        "data": data,
        "date_time": "2025-01-15T11:00:00.000Z",
    }


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The events read inside the batch (after the write lock was taken)."""
    seen: list[str] = []

    def counted(body: Any, *, own_jid: str | None = None) -> wire.WebhookEvent:
        seen.append(str(body.get("event")))
        return wire.parse_event(body, own_jid=own_jid)

    monkeypatch.setattr(handlers, "parse_event", counted)
    return seen


async def test_a_batch_uses_the_events_read_before_the_lock(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    reads: list[str],
) -> None:
    hooked = await instances.create()
    for n in range(5):
        await post_event(client, hooked, text_message(f"AHEAD{n}"), wait=False)
    await settle(client)
    assert len(await messages(db)) == 5
    if db.kw["bind"].dialect.name == "sqlite":
        assert reads == []  # all five read ahead
    else:  # PostgreSQL's acknowledgements never wait for the applier: read in the batch
        assert len(reads) == 5


async def test_an_event_read_with_an_own_jid_that_changed_is_read_again(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    reads: list[str],
) -> None:
    """Read ahead, the message we sent knew no own JID; the connection event before it in
    the same batch sets one, so the batch reads it again and stores our number."""
    hooked = await instances.create()
    await post_event(client, hooked, _opened(hooked.name), wait=False)
    await post_event(client, hooked, _sent_by_us("OURS"), wait=False)
    await settle(client)
    [message] = await messages(db)
    assert (message.from_me, message.sender_phone) == (True, f"+{OWN}")
    if db.kw["bind"].dialect.name == "sqlite":
        assert reads == ["send.message"]


async def test_an_event_that_cannot_be_read_ahead_is_applied_by_the_batch(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading ahead is only a head start: an event it cannot read is read by the batch
    (which records it as failed when it cannot either), never a stalled applier."""
    from evodash.webhooks import applier

    def broken(body: Any, *, own_jid: str | None = None) -> wire.WebhookEvent:
        if body["data"]["key"]["id"] == "TRIPS":
            raise ValueError("cannot read this one ahead")
        return wire.parse_event(body, own_jid=own_jid)

    monkeypatch.setattr(applier, "parse_event", broken)
    hooked = await instances.create()
    for key in ("BEFORE", "TRIPS", "AFTER"):
        await post_event(client, hooked, text_message(key), wait=False)
    await settle(client)
    assert sorted(m.message_id for m in await messages(db)) == ["AFTER", "BEFORE", "TRIPS"]


async def test_an_id_sqlite_gives_again_is_not_read_from_the_event_deleted_before(
    client: httpx.AsyncClient,
    app: FastAPI,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    """SQLite gives a deleted row's id to the next row (no AUTOINCREMENT). An event read
    ahead and deleted with its instance before it was applied leaves its reading behind;
    the next event, with the same id, is another one and must be read for itself (the
    browser journey's live message never showed: the batch stored the old reading)."""
    applier = app.state.webhook_tasks.applier
    gone = await instances.create("gone-soon")
    first = await post_event(client, gone, text_message("OLD", instance=gone.name), wait=False)
    applier._read_ahead(applier.limit())  # read ahead, then its instance is deleted
    async with db() as session:
        await session.execute(delete(EvolutionInstance).where(EvolutionInstance.id == gone.id))
        await session.commit()
    app.state.webhook_tasks.receiver.secrets.forget(gone.id)  # as the API's delete does
    kept = await instances.create("acme-support")
    second = await post_event(client, kept, text_message("NEW"), wait=False)
    assert second.status_code == 200, second.text
    if db.kw["bind"].dialect.name == "sqlite":
        assert second.json()["event_id"] == first.json()["event_id"]  # the id, again
    await settle(client)
    assert [(m.instance_id, m.message_id) for m in await messages(db)] == [(kept.id, "NEW")]
