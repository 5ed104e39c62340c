"""Never lose a message: evodash and the simulator over real HTTP on loopback.

evodash is stopped while the simulator receives messages and gives up on their webhooks;
when evodash starts again it fetches them (``findMessages``) and stores each once, with
its image job. The same messages arriving by webhook afterwards, or while a recovery of
the same period runs, change nothing.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash import realtime
from evodash.core.config import Settings
from evodash.messages.models import WhatsAppMessage
from evodash.realtime.events import Event, MessageCreatedEvent
from evodash.recovery.models import RecoveryRun, RecoveryStatus, RecoveryTrigger
from evodash.webhooks import SECRET_HEADER
from tests.conftest import AppRunner
from tests.recovery.helpers import (
    ALLOWED,
    OTHER,
    counts,
    eventually,
    evodash,
    open_instance,
    runs,
    send,
)
from tests.simulator_server import RunningSimulator

pytestmark = [pytest.mark.commits, pytest.mark.slow]
Db = async_sessionmaker[AsyncSession]


@pytest.fixture
def settings(settings: Settings, evodash_port: int) -> Settings:
    """evodash as deployed: background work on, reachable by the simulator."""
    return settings.model_copy(
        update={
            "public_base_url": f"http://127.0.0.1:{evodash_port}",
            "evolution_timeout_seconds": 5.0,
            "evolution_read_retries": 0,
            "recovery_poll_seconds": 0.2,
            "background_tasks": True,
            "allowed_phone_numbers": ["+5521998765432"],
        }
    )


async def _finished_run(db: Db, instance_id: int, trigger: RecoveryTrigger) -> RecoveryRun | None:
    for run in await runs(db, instance_id):
        if run.trigger == trigger.value and run.status != RecoveryStatus.running.value:
            return run
    return None


async def _thirty_messages(simulator: RunningSimulator, name: str) -> list[dict[str, Any]]:
    """8 invoice images and 12 texts from the allowed number, 2 images and 8 texts from
    another one: 30 messages, in a mixed order."""
    sent: list[dict[str, Any]] = []
    for n in range(10):
        sender = ALLOWED if n < 8 else OTHER
        image = {"kind": "pix", "amount": f"{10 + n}.50"}
        sent.append(
            await send(simulator, name, sender, type="image", caption=f"boleto {n}", image=image)
        )
        sent.append(await send(simulator, name, ALLOWED if n < 6 else OTHER, text=f"oi {n}"))
        sent.append(await send(simulator, name, ALLOWED if n % 2 else OTHER, text=f"tudo bem {n}"))
    return sent


class TestRecoveryAfterDowntime:
    async def test_messages_missed_while_down_are_stored_once_at_startup(
        self,
        run_app: AppRunner,
        settings: Settings,
        evodash_port: int,
        simulator: RunningSimulator,
        db: Db,
        admin: dict[str, str],
    ) -> None:
        async with evodash(run_app, settings, evodash_port) as api:
            instance = await open_instance(api, admin, simulator)
            # Going open started a pass of its own (nothing to find yet).
            first = await eventually(
                lambda: _finished_run(db, instance["id"], RecoveryTrigger.reconnect)
            )
            assert (first.status, first.found, first.new) == ("succeeded", 0, 0)
        # evodash is down: the simulator stores 30 messages and gives their webhooks up.
        sent = await _thirty_messages(simulator, "acme")
        flushed = await simulator.request("POST", "/_sim/webhooks/flush?wait=30")
        assert flushed["done"] is True
        deliveries = (await simulator.state())["deliveries"]
        upserts = [d for d in deliveries if d["event"] == "messages.upsert"]
        assert len(upserts) == 30 and not any(d["delivered"] for d in upserts)
        assert all(d["attempts"] == 3 for d in upserts)
        assert (await counts(db, instance["id"]))["messages"] == 0

        async with evodash(run_app, settings, evodash_port) as api:
            run = await eventually(
                lambda: _finished_run(db, instance["id"], RecoveryTrigger.startup), within=60
            )
            assert (run.status, run.found, run.new, run.error) == ("succeeded", 30, 30, None)
            assert (await counts(db, instance["id"]))["messages"] == 30
            listed = await api.get(f"/api/instances/{instance['id']}/recoveries", headers=admin)
            assert listed.status_code == 200
            latest = listed.json()[0]
            assert (latest["trigger"], latest["found"], latest["new"]) == (
                "startup",
                30,
                30,
            )
            # The same 30, now posted as webhooks: nothing changes.
            hook = await simulator.webhook("acme")
            assert hook is not None
            secret = {SECRET_HEADER: hook["headers"][SECRET_HEADER]}
            for message in sent:
                envelope = {
                    "event": "messages.upsert",
                    "instance": "acme",
                    "data": message["message"],
                    "destination": hook["url"],
                    "date_time": "2026-12-02T11:00:00.000Z",
                    "sender": "5511987654321@s.whatsapp.net",
                    "server_url": simulator.base_url,
                    "apikey": None,
                }
                answer = await api.post(
                    f"/api/webhooks/evolution/{instance['id']}", json=envelope, headers=secret
                )
                assert answer.status_code == 200, answer.text

            async def applied() -> dict[str, int] | None:
                now = await counts(db, instance["id"])
                return now if now["waiting"] == 0 else None

            after = await eventually(applied)
        assert after == {
            "messages": 30,
            "distinct": 30,
            "jobs": 8,
            "jobs_distinct": 8,
            "waiting": 0,
        }
        async with db() as session:
            rows = (
                await session.scalars(
                    select(WhatsAppMessage).where(WhatsAppMessage.instance_id == instance["id"])
                )
            ).all()
        assert {r.message_id for r in rows} == {m["id"] for m in sent}
        images = [r for r in rows if r.message_type == "image"]
        assert len(images) == 10
        assert sum(r.is_allowed for r in images) == 8
        assert {r.text for r in rows if r.message_type == "text"} >= {"oi 0", "tudo bem 9"}


class TestWebhooksDuringRecovery:
    async def test_each_message_is_stored_and_announced_once_whichever_path_wins(
        self,
        run_app: AppRunner,
        settings: Settings,
        evodash_port: int,
        simulator: RunningSimulator,
        db: Db,
        admin: dict[str, str],
        operator: dict[str, str],
    ) -> None:
        fast = settings.model_copy(update={"recovery_page_size": 4})
        created: Counter[str] = Counter()

        def count(event: Event) -> None:
            if isinstance(event, MessageCreatedEvent):
                created[event.data.message_id] += 1

        unwatch = realtime.watch(count)
        try:
            async with evodash(run_app, fast, evodash_port) as api:
                instance = await open_instance(api, admin, simulator)
                await eventually(
                    lambda: _finished_run(db, instance["id"], RecoveryTrigger.reconnect)
                )
                # Some messages only Evolution knows about; then, while a pass over the
                # same period pages slowly, more messages arrive by webhook and the
                # pass finds them too.
                hidden = [
                    await send(simulator, "acme", ALLOWED, text=f"h{n}", deliverWebhook=False)
                    for n in range(6)
                ]
                # The pass's first page is held long enough that the second request
                # surely finds it running (on a fast machine a pass of 30 ms pages
                # could end first); the pages after it take 30 ms each.
                await simulator.fault(route="/chat/findMessages/*", latency_ms=500, times=1)
                await simulator.fault(route="/chat/findMessages/*", latency_ms=30)
                since = {"since": "2026-01-01T00:00:00Z"}
                started = await api.post(
                    f"/api/instances/{instance['id']}/recover", json=since, headers=operator
                )
                assert started.status_code == 422  # further back than the lookback
                started = await api.post(
                    f"/api/instances/{instance['id']}/recover", headers=operator
                )
                assert started.status_code == 202, started.text
                again = await api.post(f"/api/instances/{instance['id']}/recover", headers=operator)
                assert again.status_code == 409
                live = await asyncio.gather(
                    *(
                        send(
                            simulator,
                            "acme",
                            ALLOWED,
                            **(
                                {"type": "image", "image": {"kind": "pix"}}
                                if n % 4 == 0
                                else {"text": f"live {n}"}
                            ),
                        )
                        for n in range(24)
                    )
                )
                run_id = started.json()["id"]

                async def finished() -> RecoveryRun | None:
                    done = [r for r in await runs(db, instance["id"]) if r.id == run_id]
                    return done[0] if done and done[0].status != "running" else None

                run = await eventually(finished)
                await simulator.request("POST", "/_sim/webhooks/flush?wait=30")

                async def settled() -> dict[str, int] | None:
                    now = await counts(db, instance["id"])
                    return now if now["waiting"] == 0 and now["messages"] >= 30 else None

                final = await eventually(settled)
        finally:
            unwatch()
        ids = {m["id"] for m in hidden} | {m["id"] for m in live}
        assert final == {
            "messages": 30,
            "distinct": 30,
            "jobs": 6,
            "jobs_distinct": 6,
            "waiting": 0,
        }
        assert run.status == "succeeded" and run.new >= len(hidden)
        assert set(created) == ids and set(created.values()) == {1}
