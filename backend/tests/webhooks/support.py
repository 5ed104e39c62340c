"""Helpers shared by the webhook and message tests: instances, posting events, snapshots."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.security import encrypt
from evodash.destinations.models import ForwardDestination
from evodash.instances.models import EvolutionInstance
from evodash.instances.webhook_secret import seal
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from evodash.webhooks import SECRET_HEADER
from evodash.webhooks.models import WebhookEvent
from tests.conftest import TEST_SECRET
from tests.fixtures import EVOLUTION_FIXTURES

_counter = itertools.count(1)


@dataclass(frozen=True)
class Hooked:
    """An instance as the receiver sees it: its id, name and secret."""

    id: int
    name: str
    secret: str

    @property
    def url(self) -> str:
        return f"/api/webhooks/evolution/{self.id}"

    @property
    def headers(self) -> dict[str, str]:
        return {SECRET_HEADER: self.secret}


class InstanceFactory:
    def __init__(self, db: async_sessionmaker[AsyncSession]) -> None:
        self.db = db
        self._servers: dict[str, int] = {}

    async def server(self, base_url: str = "http://evolution.test", key: str = "k") -> int:
        if base_url in self._servers:
            return self._servers[base_url]
        n = next(_counter)
        async with self.db() as session:
            server = EvolutionServer(
                name=f"server-{n}",
                base_url=base_url,
                api_key_encrypted=encrypt(key, secret=TEST_SECRET),
                api_key_last4=key[-4:],
            )
            session.add(server)
            await session.commit()
        self._servers[base_url] = server.id
        return server.id

    async def create(
        self,
        name: str | None = None,
        *,
        secret: str | None = None,
        allowed_numbers: list[str] | None = None,
        forward_url: str | None = None,
        server_url: str = "http://evolution.test",
        server_key: str = "k",
        status: str = "created",
    ) -> Hooked:
        server_id = await self.server(server_url, server_key)
        n = next(_counter)
        name = name or f"inst-{n}"
        secret = secret or f"whs_secret_{n}_0123456789abcdef"
        async with self.db() as session:
            instance = EvolutionInstance(
                server_id=server_id,
                display_name=name.title(),
                name=name,
                status=status,
                webhook_events=[],
                allowed_numbers=allowed_numbers or [],
            )
            seal(instance, secret, TEST_SECRET)
            session.add(instance)
            await session.flush()
            if forward_url is not None:  # one destination taking every event
                session.add(
                    ForwardDestination(instance_id=instance.id, name="forward", url=forward_url)
                )
            await session.commit()
        return Hooked(instance.id, name, secret)


async def settle(client: httpx.AsyncClient) -> None:
    """Wait until the app behind ``client`` applied every event it acknowledged."""
    app = getattr(getattr(client, "_transport", None), "app", None)
    await app.state.webhook_tasks.settle()


async def post_event(
    client: httpx.AsyncClient,
    hooked: Hooked,
    body: Any,
    *,
    suffix: str | None = None,
    secret: str | None = None,
    wait: bool = True,
) -> httpx.Response:
    """Post an event; with ``wait``, return once it is applied (the receiver answers as
    soon as it is stored)."""
    url = hooked.url + (f"/{suffix}" if suffix else "")
    headers = {SECRET_HEADER: secret if secret is not None else hooked.secret}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers["Content-Type"] = "application/json"
    response = await client.post(url, content=content, headers=headers)
    if wait and response.status_code == 200:
        await settle(client)
    return response


async def applied_status(db: async_sessionmaker[AsyncSession], response: httpx.Response) -> str:
    """What applying the event of an answer did (``processed``, ``ignored``…)."""
    async with db() as session:
        event = await session.get(WebhookEvent, response.json()["event_id"])
        assert event is not None
        return event.status


def payloads() -> list[tuple[str, dict[str, Any]]]:
    """Every webhook example: ``webhooks/*.json`` and the bodies of ``recorded/webhooks``."""
    root = EVOLUTION_FIXTURES
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted((root / "webhooks").glob("*.json")):
        found.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
    for path in sorted((root / "recorded" / "webhooks").glob("*.json")):
        found.append((path.name, json.loads(path.read_text(encoding="utf-8"))["request"]["body"]))
    return found


def text_message(
    message_id: str,
    *,
    sender: str = "5521998765432",
    instance: str = "acme-support",
    text_body: str = "hello",
    timestamp: int = 1736950212,
    lid: bool = False,
) -> dict[str, Any]:
    """A ``messages.upsert`` envelope carrying a text from ``sender``."""
    key: dict[str, Any] = {"fromMe": False, "id": message_id, "participant": ""}
    if lid:
        key.update(
            remoteJid="182736455463728@lid",
            remoteJidAlt=f"{sender}@s.whatsapp.net",
            addressingMode="lid",
        )
    else:
        key.update(remoteJid=f"{sender}@s.whatsapp.net", addressingMode="pn")
    return {
        "event": "messages.upsert",
        "instance": instance,
        "data": {
            "key": key,
            "pushName": "Maria",
            "status": "DELIVERY_ACK",
            "message": {"conversation": text_body},
            "messageType": "conversation",
            "messageTimestamp": timestamp,
            "instanceId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "source": "android",
        },
        "destination": "https://dashboard.example.com/api/webhooks/evolution",
        "date_time": "2025-01-15T11:10:12.611Z",
        "sender": "5511987654321@s.whatsapp.net",
        "server_url": "https://evolution.example.com",
        "apikey": "E3B0C442-98FC-4C14-9AFB-F4C8996FB924",
    }


def image_message(
    message_id: str, *, sender: str = "5521998765432", base64: str | None = None
) -> dict[str, Any]:
    body = text_message(message_id, sender=sender)
    message: dict[str, Any] = {
        "imageMessage": {"mimetype": "image/jpeg", "caption": "Boleto", "url": "https://x"}
    }
    if base64 is not None:
        message["base64"] = base64
    body["data"].update(message=message, messageType="imageMessage", contextInfo=None)
    return body


SNAPSHOT_TABLES = (
    "evolution_instance",
    "whatsapp_message",
    "connection_event",
    "image_processing_job",
    "webhook_delivery",
)


async def snapshot(db: async_sessionmaker[AsyncSession]) -> dict[str, list[dict[str, Any]]]:
    """Every row of the state tables (not the inbox, which grows by design)."""
    result: dict[str, list[dict[str, Any]]] = {}
    async with db() as session:
        for table in SNAPSHOT_TABLES:
            rows = (await session.execute(text(f'SELECT * FROM "{table}" ORDER BY id'))).all()
            result[table] = [dict(r._mapping) for r in rows]
    return result


async def messages(db: async_sessionmaker[AsyncSession]) -> list[WhatsAppMessage]:
    async with db() as session:
        return list(
            (await session.scalars(select(WhatsAppMessage).order_by(WhatsAppMessage.id))).all()
        )


async def events(db: async_sessionmaker[AsyncSession]) -> list[WebhookEvent]:
    async with db() as session:
        return list((await session.scalars(select(WebhookEvent).order_by(WebhookEvent.id))).all())


async def instance_row(db: async_sessionmaker[AsyncSession], instance_id: int) -> EvolutionInstance:
    async with db() as session:
        instance = await session.get(EvolutionInstance, instance_id)
        assert instance is not None
        return instance


class ForwardJobs:
    """A job worker of this test that runs only ``forward`` jobs (the app's own worker is
    off in tests), polling often; :meth:`drain` waits until none is left to run."""

    def __init__(self, app: FastAPI) -> None:
        from evodash.jobs.worker import Worker
        from evodash.webhooks.forwarding import FORWARD_KIND, run_forward_job

        self.kind = FORWARD_KIND
        self.sessionmaker = app.state.sessionmaker
        self.worker = Worker(
            app.state.sessionmaker,
            app.state.settings,
            app.state.http,
            handlers={FORWARD_KIND: run_forward_job},
            poll_interval=0.02,
            concurrency=4,
        )

    async def waiting(self) -> int:
        from sqlalchemy import func

        from evodash.jobs.models import ImageProcessingJob as Job

        async with self.sessionmaker() as session:
            stmt = select(func.count()).where(
                Job.kind == self.kind, Job.status.in_(["pending", "running"])
            )
            return int((await session.execute(stmt)).scalar_one())

    async def drain(self, seconds: float = 20, *, fast_forward: bool = True) -> bool:
        """``True`` once no forward job is pending or running; ``False`` on timeout.
        ``fast_forward``: a fake clock for retries: when only retries due later are left,
        they are made due now (the backoff they were given stays on their rows)."""
        import asyncio
        import time

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not await self.waiting():
                return True
            if fast_forward:
                await self.advance()
            await asyncio.sleep(0.02)
        return False

    async def advance(self) -> int:
        """Make every forward job and attempt waiting for a later time due now."""
        from sqlalchemy import update

        from evodash.core.db import utcnow
        from evodash.jobs.models import ImageProcessingJob as Job
        from evodash.webhooks.models import WebhookDelivery

        now = utcnow()
        async with self.sessionmaker() as session:
            later = (
                await session.execute(
                    select(Job.id, Job.payload).where(
                        Job.kind == self.kind, Job.status == "pending", Job.run_after > now
                    )
                )
            ).all()
            if not later:
                return 0
            # Only the attempts of jobs nobody runs (an attempt being sent is leased too).
            deliveries = [int(payload["delivery_id"]) for _, payload in later]
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(deliveries), WebhookDelivery.status == "pending")
                .values(next_retry_at=now)
            )
            await session.execute(
                update(Job).where(Job.id.in_([i for i, _ in later])).values(run_after=now)
            )
            await session.commit()
        return len(later)
