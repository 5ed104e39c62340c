"""Event handlers: message types, statuses in any order, instance state, QR, retention."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import utcnow
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.webhooks.models import WebhookEvent
from evodash.webhooks.tasks import WebhookTasks
from tests.fixtures import EVOLUTION_FIXTURES
from tests.webhooks.support import (
    InstanceFactory,
    applied_status,
    events,
    instance_row,
    messages,
    post_event,
    text_message,
)


def _envelope(event: str, data: Any, *, at: str = "2025-01-15T11:00:00.000Z") -> dict[str, Any]:
    return {"event": event, "instance": "acme-support", "data": data, "date_time": at}


def _with_content(message_id: str, content: dict[str, Any], kind: str) -> dict[str, Any]:
    body = text_message(message_id)
    body["data"].update(message=content, messageType=kind)
    return body


CONTENTS = [
    ({"conversation": "oi"}, "conversation", "text", "oi", None),
    ({"extendedTextMessage": {"text": "v1 text"}}, "extendedTextMessage", "text", "v1 text", None),
    (
        {"videoMessage": {"mimetype": "video/mp4", "caption": "vídeo"}},
        "videoMessage",
        "video",
        "vídeo",
        "video/mp4",
    ),
    (
        {"audioMessage": {"mimetype": "audio/ogg; codecs=opus", "ptt": True}},
        "audioMessage",
        "audio",
        None,
        "audio/ogg; codecs=opus",
    ),
    (
        {"documentMessage": {"mimetype": "application/pdf", "fileName": "nota.pdf"}},
        "documentMessage",
        "document",
        "nota.pdf",
        "application/pdf",
    ),
    (
        {"stickerMessage": {"mimetype": "image/webp"}},
        "stickerMessage",
        "sticker",
        None,
        "image/webp",
    ),
    (
        {"locationMessage": {"degreesLatitude": -23.5, "degreesLongitude": -46.6}},
        "locationMessage",
        "location",
        "-23.5,-46.6",
        None,
    ),
    (
        {"contactMessage": {"displayName": "João", "vcard": "BEGIN:VCARD"}},
        "contactMessage",
        "contact",
        "João",
        None,
    ),
    (
        {"reactionMessage": {"key": {"id": "X"}, "text": "👍"}},
        "reactionMessage",
        "reaction",
        "👍",
        None,
    ),
    (
        {"viewOnceMessageV2": {"message": {"imageMessage": {"mimetype": "image/jpeg"}}}},
        "viewOnceMessageV2",
        "image",
        None,
        "image/jpeg",
    ),
    ({"pollCreationMessageV3": {"name": "?"}}, "pollCreationMessageV3", "other", None, None),
]


@pytest.mark.parametrize(("content", "kind", "stored_type", "text", "mimetype"), CONTENTS)
async def test_message_types(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
    content: dict[str, Any],
    kind: str,
    stored_type: str,
    text: str | None,
    mimetype: str | None,
) -> None:
    hooked = await instances.create()
    await post_event(client, hooked, _with_content("T1", content, kind))
    [message] = await messages(db)
    assert (message.message_type, message.text, message.media_mimetype) == (
        stored_type,
        text,
        mimetype,
    )


class TestStatuses:
    @pytest.mark.parametrize(
        "order",
        [
            ["SERVER_ACK", "DELIVERY_ACK", "READ"],
            ["READ", "DELIVERY_ACK", "SERVER_ACK"],
            ["DELIVERY_ACK", "READ", "DELIVERY_ACK"],
        ],
    )
    async def test_status_never_goes_back(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        order: list[str],
    ) -> None:
        hooked = await instances.create()
        sent = text_message("OUT1")
        sent["event"] = "send.message"
        sent["data"]["key"]["fromMe"] = True
        sent["data"]["status"] = "PENDING"
        await post_event(client, hooked, sent)
        for status in order:
            update_body = {"keyId": "OUT1", "remoteJid": "x", "fromMe": True, "status": status}
            await post_event(client, hooked, _envelope("messages.update", update_body))
        [message] = await messages(db)
        assert message.status == "READ"

    async def test_receipts_in_one_batch_end_at_the_furthest_status_announced_once(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        """One event carrying several receipts (applied together): each message ends at
        the furthest status it was sent, whatever their order; a status evodash does not
        rank fills an empty one only; each changed message is announced once, as it ends;
        a receipt for a message not stored makes the event wait."""
        from evodash import realtime
        from evodash.realtime.events import Event, MessageUpdatedEvent

        hooked = await instances.create()
        for key in ("A", "B", "C"):
            body = text_message(key)
            if key != "A":
                del body["data"]["status"]  # stored without a status
            await post_event(client, hooked, body)
        receipts = [
            ("A", "READ"),
            ("A", "SERVER_ACK"),
            ("A", "WHATEVER"),
            ("B", "WHATEVER"),
            ("C", "WHATEVER"),
            ("C", "DELIVERY_ACK"),
            ("A", "DELIVERY_ACK"),
            ("C", "PLAYED"),
            ("GONE", "READ"),
        ]
        data = [{"keyId": k, "remoteJid": "x", "fromMe": False, "status": s} for k, s in receipts]
        heard: list[Event] = []
        unwatch = realtime.watch(heard.append)
        try:
            response = await post_event(client, hooked, _envelope("messages.update", data))
        finally:
            unwatch()
        assert {m.message_id: m.status for m in await messages(db)} == {
            "A": "READ",
            "B": "WHATEVER",
            "C": "PLAYED",
        }
        announced = [e.data for e in heard if isinstance(e, MessageUpdatedEvent)]
        assert sorted((m.message_id, m.status) for m in announced) == [
            ("A", "READ"),
            ("B", "WHATEVER"),
            ("C", "PLAYED"),
        ]
        assert await applied_status(db, response) == "deferred"  # GONE is not stored

    async def test_update_before_the_message_waits_for_it(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create()
        early = {"keyId": "LATE", "remoteJid": "x", "fromMe": False, "status": "READ"}
        response = await post_event(client, hooked, _envelope("messages.update", early))
        assert await applied_status(db, response) == "deferred"
        await post_event(client, hooked, text_message("LATE"))
        [message] = await messages(db)
        assert message.status == "READ"
        assert [e.status for e in await events(db)] == ["processed", "processed"]

    async def test_sweep_applies_or_gives_up_deferred_events(
        self,
        client: httpx.AsyncClient,
        webhook_tasks: WebhookTasks,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create()
        for key in ("RACED", "NEVER"):
            data = {"keyId": key, "remoteJid": "x", "fromMe": False, "status": "READ"}
            await post_event(client, hooked, _envelope("messages.update", data))
        # RACED's message was stored without seeing the update (two commits at once).
        await post_event(client, hooked, text_message("RACED"))
        async with db() as session:
            await session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.event == "messages.update")
                .values(status="deferred", received_at=utcnow() - timedelta(hours=2))
            )
            await session.execute(
                update(WebhookEvent.__table__)  # type: ignore[arg-type]
                .where(WebhookEvent.event == "messages.upsert")
                .values(status="processed")
            )
            await session.commit()
        assert await webhook_tasks.sweep_deferred_once() == 2
        by_key = {
            e.body["data"]["keyId"]: e for e in await events(db) if e.event != "messages.upsert"
        }
        assert by_key["RACED"].status == "processed"
        assert by_key["NEVER"].status == "ignored"
        assert by_key["NEVER"].error == "the message it refers to never arrived"

    async def test_delete_marks_the_message_once(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create()
        await post_event(client, hooked, text_message("GONE"))
        key = {"remoteJid": "x", "fromMe": False, "id": "GONE", "participant": ""}
        await post_event(client, hooked, _envelope("messages.delete", key))
        [first] = await messages(db)
        await post_event(client, hooked, _envelope("messages.delete", key))
        [second] = await messages(db)
        assert first.deleted_at is not None and second.deleted_at == first.deleted_at


class TestInstanceEvents:
    async def test_repeated_connecting_records_one_transition(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create()
        for second in range(10):
            data = {"instance": "acme-support", "state": "connecting", "statusReason": 200}
            at = f"2025-01-15T11:00:{second:02d}.000Z"
            await post_event(client, hooked, _envelope("connection.update", data, at=at))
        async with db() as session:
            rows = (await session.scalars(select(ConnectionEvent))).all()
        assert [(r.previous_state, r.state, r.source) for r in rows] == [
            ("created", "connecting", "webhook")
        ]

    async def test_late_connecting_does_not_undo_open(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create("acme-support")
        root = EVOLUTION_FIXTURES / "webhooks"

        opened = json.loads((root / "connection-update-open.json").read_text())
        connecting = json.loads((root / "connection-update-connecting.json").read_text())
        await post_event(client, hooked, opened)
        late = await post_event(client, hooked, connecting)
        assert await applied_status(db, late) == "ignored"
        instance = await instance_row(db, hooked.id)
        assert (instance.status, instance.owner_jid, instance.phone_number) == (
            "open",
            "5511987654321@s.whatsapp.net",
            "5511987654321",
        )
        assert instance.profile_name == "Acme Support"

    @pytest.mark.parametrize("order", [("open", "connecting"), ("connecting", "open")])
    async def test_open_wins_over_connecting_of_the_same_instant(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        order: tuple[str, str],
    ) -> None:
        """After a pairing Evolution reports ``connecting`` and ``open`` stamped with the
        same millisecond, posted concurrently: whichever arrives first, it is open."""
        hooked = await instances.create("acme-support")
        at = "2025-01-15T11:00:41.611Z"
        for state in order:
            data = {"instance": "acme-support", "state": state, "statusReason": 200}
            await post_event(client, hooked, _envelope("connection.update", data, at=at))
        assert (await instance_row(db, hooked.id)).status == "open"

    async def test_qr_code_is_kept_and_announced(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create()
        subscription = app.state.bus.subscribe()
        qr = {
            "qrcode": {
                "instance": "x",
                "pairingCode": "R7KX2QMB",
                "code": "2@abc",
                "base64": "data:image/png;base64,AAA",
            }
        }
        await post_event(client, hooked, _envelope("qrcode.updated", qr))
        instance = await instance_row(db, hooked.id)
        assert (instance.last_qr, instance.last_qr_code, instance.pairing_code) == (
            "data:image/png;base64,AAA",
            "2@abc",
            "R7KX2QMB",
        )
        assert instance.last_qr_at is not None

        async with asyncio.timeout(5):
            event = await anext(subscription)
            while event["type"] != "instance.qr":
                event = await anext(subscription)
        assert event["data"]["id"] == hooked.id and event["data"]["pairing_code"] == "R7KX2QMB"
        await subscription.aclose()

    async def test_old_qr_codes_are_forgotten(
        self,
        client: httpx.AsyncClient,
        webhook_tasks: WebhookTasks,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create()
        qr = {"qrcode": {"code": "2@abc", "base64": "data:image/png;base64,AAA"}}
        await post_event(client, hooked, _envelope("qrcode.updated", qr))
        async with db() as session:
            await session.execute(
                update(EvolutionInstance).values(last_qr_at=utcnow() - timedelta(minutes=5))
            )
            await session.commit()
        await webhook_tasks.purge_once()
        assert (await instance_row(db, hooked.id)).last_qr is None


async def test_retention_purges_old_events_only(
    client: httpx.AsyncClient,
    webhook_tasks: WebhookTasks,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    hooked = await instances.create()
    for i in range(3):
        await post_event(client, hooked, text_message(f"R{i}"))
    first_id = (await events(db))[0].id
    async with db() as session:
        old = utcnow() - timedelta(days=webhook_tasks.settings.webhook_event_retention_days + 1)
        await session.execute(
            update(WebhookEvent).where(WebhookEvent.id == first_id).values(received_at=old)
        )
        await session.commit()
    assert await webhook_tasks.purge_once() == 1
    assert len(await events(db)) == 2
    assert len(await messages(db)) == 3  # messages are not the inbox


async def test_events_for_a_deleted_instance_are_stored_and_ignored(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    hooked = await instances.create()
    async with db() as session:
        await session.execute(
            update(EvolutionInstance)
            .where(EvolutionInstance.id == hooked.id)
            .values(deleted_at=utcnow())
        )
        await session.commit()
    response = await post_event(client, hooked, text_message("X"))
    assert response.status_code == 200 and await applied_status(db, response) == "ignored"
    assert await messages(db) == []


async def test_duplicate_delivery_is_one_message(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    hooked = await instances.create()
    body = text_message("DUP")
    for _ in range(3):
        assert (await post_event(client, hooked, copy.deepcopy(body))).status_code == 200
    assert len(await messages(db)) == 1
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookEvent)) == 3
