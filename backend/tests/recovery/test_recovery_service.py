"""A recovery pass against the recorded ``findMessages`` pages (respx): what it stores,
what it counts, the window it asks for, claims, failures; and the API's guards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash import realtime
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.destinations.models import ForwardDestination
from evodash.instances.models import EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import WhatsAppMessage
from evodash.realtime.events import Event, RecoveryUpdatedEvent
from evodash.recovery import service
from evodash.recovery.errors import RecoveryWindowRefused
from evodash.recovery.models import RecoveryRun, RecoveryStatus, RecoveryTrigger
from evodash.recovery.runner import Recovery
from evodash.webhooks.models import WebhookDelivery, WebhookEvent
from tests.fixtures import EVOLUTION_FIXTURES
from tests.webhooks.support import Hooked, InstanceFactory, applied_status, post_event

Db = async_sessionmaker[AsyncSession]
EVOLUTION = "http://evolution.test"
CHAT = EVOLUTION_FIXTURES / "recorded-chat"
SINCE = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
UNTIL = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
NEWEST = "3EB056E1E827E1F887301B"  # m12, sent by the instance 10 minutes before "now"


def _answer(name: str) -> httpx.Response:
    recorded = json.loads((CHAT / f"chat_findMessages_{name}.json").read_text(encoding="utf-8"))
    return httpx.Response(recorded["response"]["status"], json=recorded["response"]["body"])


PAGES = {1: "page1_offset5", 2: "page2_offset5", 3: "page3_offset5"}


def _by_page(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    assert body["offset"] == 5
    assert body["where"]["messageTimestamp"] == {
        "gte": "2026-11-30T00:00:00.000Z",
        "lte": "2026-12-02T06:00:00.000Z",
    }
    return _answer(PAGES.get(body["page"], "page4_offset5_beyond"))


@pytest.fixture
def instances(db: Db) -> InstanceFactory:
    return InstanceFactory(db)


@pytest.fixture
def recovery(app: FastAPI, db: Db, settings: Settings) -> Recovery:
    """Passes run in the test (``run``), one session at a time, in its transaction."""
    return Recovery(
        lambda: db, app.state.http, settings.model_copy(update={"recovery_page_size": 5})
    )


async def _pass(db: Db, hooked: Hooked) -> int:
    async with db() as session:
        run = RecoveryRun(
            instance_id=hooked.id,
            trigger=RecoveryTrigger.manual.value,
            since=SINCE,
            until=UNTIL,
        )
        session.add(run)
        await session.commit()
    return run.id


async def _count(db: Db, model: Any) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


class TestPass:
    async def test_stores_every_recorded_message_once(
        self, db: Db, instances: InstanceFactory, recovery: Recovery
    ) -> None:
        hooked = await instances.create("recprobe", server_url=EVOLUTION)
        with respx.mock(base_url=EVOLUTION) as evolution:
            route = evolution.post("/chat/findMessages/recprobe").mock(side_effect=_by_page)
            first = await recovery.run(await _pass(db, hooked))
            assert first is not None
            assert (first.status, first.found, first.new, first.total) == ("succeeded", 12, 12, 12)
            assert (first.pages_done, first.pages_total, first.error) == (3, 3, None)
            assert route.call_count == 3
            second = await recovery.run(await _pass(db, hooked))
        assert second is not None and (second.found, second.new) == (12, 0)
        assert await _count(db, WhatsAppMessage) == 12
        assert await _count(db, ImageProcessingJob) == 1  # m03, the one image
        async with db() as session:
            image = await session.scalar(
                select(WhatsAppMessage).where(WhatsAppMessage.message_type == "image")
            )
            acked = await session.scalar(
                select(WhatsAppMessage).where(
                    WhatsAppMessage.message_id == "3EB08FF6DA72388DBCE88E"
                )
            )
        assert image is not None and image.text == "Segue a foto do pedido"
        assert image.sender_phone == "+5511987654321" and image.is_allowed
        assert acked is not None and acked.status == "READ" and acked.direction == "out"

    async def test_the_browsers_hear_a_pass_start_and_end(
        self, db: Db, instances: InstanceFactory, recovery: Recovery
    ) -> None:
        """A pass the server starts by itself (a reconnect) shows on the instance page
        without a reload: its start and its end are announced."""
        hooked = await instances.create("recprobe", server_url=EVOLUTION)
        heard: list[Event] = []
        unwatch = realtime.watch(heard.append)
        try:
            with respx.mock(base_url=EVOLUTION) as evolution:
                evolution.post("/chat/findMessages/recprobe").mock(
                    return_value=_answer("page4_offset5_beyond")
                )
                run = await recovery.request(hooked.id, RecoveryTrigger.reconnect)
                assert run is not None
                await recovery.settle()
        finally:
            unwatch()
        announced = [e.data for e in heard if isinstance(e, RecoveryUpdatedEvent)]
        assert [(r.id, r.trigger, r.status) for r in announced] == [
            (run.id, "reconnect", "running"),
            (run.id, "reconnect", "succeeded"),
        ]
        assert announced[-1].finished_at is not None

    async def test_recovered_messages_are_relayed_like_webhooks_once(
        self, db: Db, instances: InstanceFactory, recovery: Recovery, client: httpx.AsyncClient
    ) -> None:
        hooked = await instances.create("recprobe", server_url=EVOLUTION)
        async with db() as session:
            chat = ForwardDestination(
                instance_id=hooked.id,
                name="chatwoot",
                url="https://chat.example.com/in",
                events=["MESSAGES_UPSERT"],
            )
            crm = ForwardDestination(
                instance_id=hooked.id,
                name="crm",
                url="https://crm.example.com/in",
                events=["CONNECTION_UPDATE"],
            )
            session.add_all([chat, crm])
            await session.commit()
        with respx.mock(base_url=EVOLUTION) as evolution:
            evolution.post("/chat/findMessages/recprobe").mock(side_effect=_by_page)
            await recovery.run(await _pass(db, hooked))
            await recovery.run(await _pass(db, hooked))  # finds them again: nothing new
        async with db() as session:
            deliveries = (await session.scalars(select(WebhookDelivery))).all()
            events = (await session.scalars(select(WebhookEvent))).all()
            jobs = await session.scalar(
                select(func.count()).where(ImageProcessingJob.kind == "forward")
            )
        assert len(events) == 12 and {e.event for e in events} == {"messages.upsert"}
        assert all(e.status == "processed" and e.body["recovered"] for e in events)
        assert {e.body["data"]["key"]["id"] for e in events} >= {NEWEST}
        assert len(deliveries) == 12 and {d.destination_id for d in deliveries} == {chat.id}
        assert {d.url for d in deliveries} == {"https://chat.example.com/in"}
        assert jobs == 12

        # Their webhooks arrive after all (they were late, not lost): stored once, and not
        # relayed again (the recovery pass that stored them first relayed them).
        for event in events:
            late = {k: v for k, v in event.body.items() if k != "recovered"}
            response = await post_event(client, hooked, late)
            assert await applied_status(db, response) == "processed"
        assert await _count(db, WhatsAppMessage) == 12
        assert await _count(db, WebhookDelivery) == 12

    async def test_a_receipt_waiting_for_a_message_is_applied_when_recovered(
        self, db: Db, instances: InstanceFactory, recovery: Recovery, client: httpx.AsyncClient
    ) -> None:
        hooked = await instances.create("recprobe", server_url=EVOLUTION)
        update = {"keyId": NEWEST, "remoteJid": "x", "fromMe": True, "status": "READ"}
        body = {
            "event": "messages.update",
            "instance": "recprobe",
            "data": update,
            "date_time": "2026-12-02T05:40:00.000Z",
        }
        waiting = await post_event(client, hooked, body)
        assert await applied_status(db, waiting) == "deferred"
        with respx.mock(base_url=EVOLUTION) as evolution:
            evolution.post("/chat/findMessages/recprobe").mock(side_effect=_by_page)
            await recovery.run(await _pass(db, hooked))
        assert await applied_status(db, waiting) == "processed"
        async with db() as session:
            newest = await session.scalar(
                select(WhatsAppMessage).where(WhatsAppMessage.message_id == NEWEST)
            )
        assert newest is not None and newest.status == "READ"

    async def test_evolution_failure_is_recorded_and_keeps_what_was_stored(
        self, db: Db, instances: InstanceFactory, recovery: Recovery
    ) -> None:
        hooked = await instances.create("recprobe", server_url=EVOLUTION)

        def first_page_only(request: httpx.Request) -> httpx.Response:
            if json.loads(request.content)["page"] == 1:
                return _answer("page1_offset5")
            return _answer("wrong_apikey")

        with respx.mock(base_url=EVOLUTION) as evolution:
            evolution.post("/chat/findMessages/recprobe").mock(side_effect=first_page_only)
            run = await recovery.run(await _pass(db, hooked))
        assert run is not None and run.status == "failed"
        assert run.error is not None and "rejected the API key" in run.error
        assert (run.found, run.new, run.pages_done) == (5, 5, 1)
        assert run.finished_at is not None
        assert await _count(db, WhatsAppMessage) == 5

    async def test_a_deleted_instance_ends_the_pass(
        self, db: Db, instances: InstanceFactory, recovery: Recovery
    ) -> None:
        hooked = await instances.create("recprobe", server_url=EVOLUTION)
        run_id = await _pass(db, hooked)
        async with db() as session:
            instance = await session.get(EvolutionInstance, hooked.id)
            assert instance is not None
            instance.deleted_at = utcnow()
            await session.commit()
        with respx.mock(base_url=EVOLUTION) as evolution:
            evolution.post("/chat/findMessages/recprobe").mock(side_effect=_by_page)
            run = await recovery.run(run_id)
        assert run is not None and (run.status, run.error) == ("failed", "the instance was deleted")
        assert await _count(db, WhatsAppMessage) == 0


class TestWindow:
    async def test_starts_before_the_newest_stored_message(
        self, db: Db, instances: InstanceFactory, settings: Settings
    ) -> None:
        hooked = await instances.create()
        now = utcnow()
        async with db() as session:
            instance = await session.get(EvolutionInstance, hooked.id)
            assert instance is not None
            empty = await service.default_since(session, instance, settings, now)
            assert empty == min(instance.created_at, now) - timedelta(seconds=600)
            newest = now - timedelta(hours=3)
            for n, at in enumerate((now - timedelta(days=2), newest)):
                session.add(
                    WhatsAppMessage(
                        instance_id=hooked.id,
                        message_id=f"M{n}",
                        remote_jid="x@s.whatsapp.net",
                        direction="in",
                        message_type="text",
                        wa_timestamp=at,
                        raw={},
                    )
                )
            await session.flush()
            assert await service.default_since(session, instance, settings, now) == (
                newest - timedelta(seconds=600)
            )
            far = await service.default_since(session, instance, settings, now + timedelta(days=60))
            assert far == now + timedelta(days=60) - timedelta(days=31)

    def test_since_must_be_in_the_lookback(self, settings: Settings) -> None:
        now = utcnow()
        assert service.check_since(now - timedelta(days=1), settings, now) == now - timedelta(
            days=1
        )
        with pytest.raises(RecoveryWindowRefused, match="future"):
            service.check_since(now + timedelta(seconds=1), settings, now)
        with pytest.raises(RecoveryWindowRefused, match="31 days"):
            service.check_since(now - timedelta(days=32), settings, now)


class TestClaim:
    async def test_one_running_pass_per_instance(
        self, db: Db, instances: InstanceFactory, settings: Settings
    ) -> None:
        hooked = await instances.create()
        async with db() as session:
            instance = await session.get(EvolutionInstance, hooked.id)
            assert instance is not None
            first = await service.claim(
                session, instance, settings, trigger=RecoveryTrigger.startup
            )
            assert first is not None and first.status == "running"
            assert (
                await service.claim(session, instance, settings, trigger=RecoveryTrigger.manual)
                is None
            )
            first.heartbeat_at = utcnow() - timedelta(minutes=10)  # its process died
            await session.flush()
            again = await service.claim(session, instance, settings, trigger=RecoveryTrigger.manual)
            assert again is not None and again.id != first.id
            await session.refresh(first)
            assert first.status == RecoveryStatus.failed.value
            assert first.error is not None and "interrupted" in first.error


class TestApi:
    async def test_roles_and_unknown_instances(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        as_user: Any,
        users: Any,
    ) -> None:
        hooked = await instances.create()
        viewer = await as_user(await users.viewer())
        url = f"/api/instances/{hooked.id}"
        refused = await client.post(f"{url}/recover", headers=viewer)
        assert refused.status_code == 403
        listed = await client.get(f"{url}/recoveries", headers=viewer)
        assert listed.status_code == 200 and listed.json() == []
        missing = await client.get("/api/instances/999999/recoveries", headers=viewer)
        assert missing.status_code == 404
        future = (utcnow() + timedelta(hours=1)).isoformat()
        operator = await as_user(await users.operator())
        early = await client.post(f"{url}/recover", json={"since": future}, headers=operator)
        assert early.status_code == 422 and early.json()["error"] == "recovery_window_refused"
        assert await _count(instances.db, RecoveryRun) == 0
