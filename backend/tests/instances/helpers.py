"""Rows, headers and database snapshots for the servers and instances tests."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.security import encrypt, last4
from evodash.instances.models import ConnectionEvent, EvolutionInstance, InstanceStatus
from evodash.instances.webhook_secret import seal
from evodash.instances.webhook_setup import WEBHOOK_EVENTS
from evodash.servers.models import EvolutionServer
from evodash.users.models import AuditLog
from tests.conftest import TEST_SECRET

HeadersFor = Callable[..., Awaitable[dict[str, str]]]
_names = itertools.count(1)


async def add_server(
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    base_url: str,
    api_key: str,
    *,
    name: str | None = None,
) -> EvolutionServer:
    server = EvolutionServer(
        name=name or f"server-{next(_names)}",
        base_url=base_url,
        api_key_encrypted=encrypt(api_key, secret=settings.secret()),
        api_key_last4=last4(api_key),
    )
    async with db() as session:
        session.add(server)
        await session.commit()
    return server


async def add_instances(
    db: async_sessionmaker[AsyncSession],
    server: EvolutionServer,
    count: int = 1,
    *,
    status: InstanceStatus = InstanceStatus.close,
    prefix: str = "inst",
    **fields: Any,
) -> list[EvolutionInstance]:
    rows = [
        EvolutionInstance(
            server_id=server.id,
            display_name=f"{prefix.title()} {n}",
            name=f"{prefix}-{n:04d}",
            status=status.value,
            webhook_events=list(WEBHOOK_EVENTS),
            allowed_numbers=[],
            reply_with_summary=False,
            **fields,
        )
        for n in range(1, count + 1)
    ]
    for row in rows:
        seal(row, webhook_secret_of(row), TEST_SECRET)
    async with db() as session:
        session.add_all(rows)
        await session.commit()
    return rows


def webhook_secret_of(instance: EvolutionInstance) -> str:
    """The webhook secret :func:`add_instances` gave ``instance``."""
    return f"whs_test_{instance.name}_0123456789"


async def snapshot(db: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """Row counts and every instance's and server's columns: 'nothing was written'."""
    async with db() as session:
        counts = {
            model.__tablename__: (
                await session.execute(select(func.count()).select_from(model))
            ).scalar_one()
            for model in (EvolutionServer, EvolutionInstance, ConnectionEvent, AuditLog)
        }
        instances = (
            await session.execute(select(EvolutionInstance).order_by(EvolutionInstance.id))
        ).scalars()
        servers = (
            await session.execute(select(EvolutionServer).order_by(EvolutionServer.id))
        ).scalars()
        rows = [_columns(r) for r in [*instances, *servers]]
    return {"counts": counts, "rows": rows}


def _columns(row: Any) -> dict[str, Any]:
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


async def get_row(db: async_sessionmaker[AsyncSession], instance_id: int) -> EvolutionInstance:
    async with db() as session:
        row = await session.get(EvolutionInstance, instance_id)
    assert row is not None
    return row


async def events_of(db: async_sessionmaker[AsyncSession], instance_id: int) -> list[str]:
    async with db() as session:
        rows = (
            await session.execute(
                select(ConnectionEvent.state)
                .where(ConnectionEvent.instance_id == instance_id)
                .order_by(ConnectionEvent.id)
            )
        ).scalars()
        return list(rows)


async def audit_actions(db: async_sessionmaker[AsyncSession]) -> list[str]:
    async with db() as session:
        rows = (await session.execute(select(AuditLog.action).order_by(AuditLog.id))).scalars()
        return list(rows)


async def register_server(
    client: httpx.AsyncClient, headers: dict[str, str], base_url: str, api_key: str, name: str
) -> dict[str, Any]:
    response = await client.post(
        "/api/servers",
        json={"name": name, "base_url": base_url, "api_key": api_key},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data
