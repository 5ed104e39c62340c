"""Fixtures of the job tests: rows to hang jobs on, jobs, and workers with short timings."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.security import encrypt
from evodash.instances.models import EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.jobs.worker import JobHandler, Worker
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from tests import loopback
from tests.conftest import TEST_SECRET

EVOLUTION_KEY = "global-key-0123456789"
_n = itertools.count(1)


class Sources:
    """Servers, instances and messages, written for real."""

    def __init__(self, db: async_sessionmaker[AsyncSession]) -> None:
        self.db = db
        self.urls: dict[int, str] = {}

    def url(self, instance: EvolutionInstance, path: str) -> str:
        """The URL of ``path`` on the (mocked) Evolution server of ``instance``."""
        return f"{self.urls[instance.id]}{path}/{instance.name}"

    async def make_instance(self, *, reply_with_summary: bool = False) -> EvolutionInstance:
        n = next(_n)
        async with self.db() as session:
            server = EvolutionServer(
                name=f"server-{n}",
                base_url=f"http://evolution-{n}.test",
                api_key_encrypted=encrypt(EVOLUTION_KEY, secret=TEST_SECRET),
                api_key_last4=EVOLUTION_KEY[-4:],
            )
            session.add(server)
            await session.flush()
            instance = EvolutionInstance(
                server_id=server.id,
                display_name=f"Loja {n}",
                name=f"loja-{n}",
                reply_with_summary=reply_with_summary,
            )
            session.add(instance)
            await session.commit()
        self.urls[instance.id] = server.base_url
        return instance

    async def make_message(
        self,
        instance: EvolutionInstance,
        *,
        raw: dict[str, Any] | None = None,
        from_me: bool = False,
    ) -> WhatsAppMessage:
        n = next(_n)
        key_id = f"3EB0{n:018d}"
        async with self.db() as session:
            message = WhatsAppMessage(
                instance_id=instance.id,
                message_id=key_id,
                remote_jid="5511987654321@s.whatsapp.net",
                sender_phone="+5511987654321",
                direction="out" if from_me else "in",
                from_me=from_me,
                message_type="imageMessage",
                media_mimetype="image/jpeg",
                wa_timestamp=datetime.now(UTC),
                is_allowed=True,
                raw=raw if raw is not None else {"key": {"id": key_id}},
            )
            session.add(message)
            await session.commit()
        return message


@pytest.fixture
def sources(db: async_sessionmaker[AsyncSession]) -> Sources:
    return Sources(db)


MakeJob = Callable[..., Awaitable[ImageProcessingJob]]


@pytest.fixture
def make_job(db: async_sessionmaker[AsyncSession]) -> MakeJob:
    async def make(**values: Any) -> ImageProcessingJob:
        values.setdefault("kind", "test")
        values.setdefault("max_attempts", 3)
        async with db() as session:
            job = ImageProcessingJob(**values)
            session.add(job)
            await session.commit()
        return job

    return make


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback.client(timeout=5) as client:
        yield client


MakeWorker = Callable[..., Worker]


@pytest.fixture
def make_worker(
    db: async_sessionmaker[AsyncSession], settings: Settings, http: httpx.AsyncClient
) -> MakeWorker:
    def make(handlers: dict[str, JobHandler] | None = None, **kwargs: Any) -> Worker:
        kwargs.setdefault("poll_interval", 0.05)
        kwargs.setdefault("progress_interval", 0.05)
        return Worker(db, settings, http, handlers=handlers, **kwargs)

    return make


async def reload(db: async_sessionmaker[AsyncSession], job_id: int) -> ImageProcessingJob:
    async with db() as session:
        job = await session.get(ImageProcessingJob, job_id)
        assert job is not None
        return job
