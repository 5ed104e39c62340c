"""Rows, a fake clock and a receiver for the alerts tests."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.alerts.models import Alert, AlertChannel, AlertDelivery, AlertRule, RuleKind
from evodash.core.config import Settings
from evodash.core.services import Services
from evodash.instances.models import ConnectionEvent, EvolutionInstance, InstanceStatus
from evodash.realtime import with_bus
from evodash.realtime.bus import InProcessBus
from evodash.servers.models import EvolutionServer
from tests.instances.helpers import add_instances, add_server
from tests.live import serve

_numbers = itertools.count(1)
#: The fake clock's "now" of every test (alerts compare rows' times with it).
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def services_for(
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
) -> Services:
    bus = InProcessBus()
    return Services(settings, engine, with_bus(db, bus), http, bus)


async def only(db: async_sessionmaker[AsyncSession], *kinds: RuleKind, **params: int) -> None:
    """Turn every rule off but ``kinds`` (which get ``params``)."""
    async with db() as session:
        for kind in RuleKind:
            on = kind in kinds
            await session.merge(AlertRule(kind=kind.value, enabled=on, params=params if on else {}))
        await session.commit()


async def instance(
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    status: InstanceStatus,
    base_url: str = "http://127.0.0.1:9",
    api_key: str = "sim-global-key-0123456789",
    **fields: Any,
) -> EvolutionInstance:
    async with db() as session:
        server = (
            await session.scalars(
                select(EvolutionServer).where(EvolutionServer.base_url == base_url)
            )
        ).first()
    if server is None:
        server = await add_server(db, settings, base_url, api_key)
    prefix = fields.pop("prefix", f"i{next(_numbers)}")
    (row,) = await add_instances(db, server, status=status, prefix=prefix, **fields)
    return row


async def transition(
    db: async_sessionmaker[AsyncSession],
    row: EvolutionInstance,
    previous: str | None,
    state: str,
    at: datetime,
) -> None:
    async with db() as session:
        session.add(
            ConnectionEvent(
                instance_id=row.id, previous_state=previous, state=state, source="webhook", at=at
            )
        )
        await session.commit()


async def set_status(
    db: async_sessionmaker[AsyncSession], row: EvolutionInstance, status: InstanceStatus
) -> None:
    async with db() as session:
        stored = await session.get(EvolutionInstance, row.id)
        assert stored is not None
        stored.status = status.value
        await session.commit()


async def alerts(db: async_sessionmaker[AsyncSession], rule: RuleKind | None = None) -> list[Alert]:
    async with db() as session:
        stmt = select(Alert).order_by(Alert.id)
        if rule is not None:
            stmt = stmt.where(Alert.rule == rule.value)
        return list((await session.scalars(stmt)).all())


async def deliveries(db: async_sessionmaker[AsyncSession]) -> list[AlertDelivery]:
    async with db() as session:
        return list((await session.scalars(select(AlertDelivery).order_by(AlertDelivery.id))).all())


async def webhook_channel(
    db: async_sessionmaker[AsyncSession], url: str, *, name: str = "hook", fmt: str = "json"
) -> AlertChannel:
    channel = AlertChannel(
        name=name,
        kind="webhook",
        enabled=True,
        config={"kind": "webhook", "url": url, "format": fmt},
    )
    async with db() as session:
        session.add(channel)
        await session.commit()
    return channel


@dataclass
class Receiver:
    """A webhook destination on loopback: records every body; ``status`` is its answer;
    ``hang`` makes it never answer."""

    status: int = 200
    hang: bool = False
    received: list[Any] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> JSONResponse:
            body = json.loads(await request.body())
            if self.hang:  # until the test ends
                await self.release.wait()
            self.received.append(body)
            return JSONResponse({"ok": True}, status_code=self.status)

        return app


@asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    async with serve(receiver.app()) as live:
        try:
            yield f"{live.url}/hook"
        finally:
            receiver.release.set()
