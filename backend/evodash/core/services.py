"""The process's resources, typed, built once: by the API's lifespan and by ``evodash worker``.

:class:`Services` holds everything a request, a job or a periodic task needs that lives as
long as the process: the settings, the database engine and its sessionmaker, the shared
HTTP client and the realtime bus. :func:`open_services` builds them and closes them again.
Nothing in evodash keeps one of these in a module global: code receives ``Services`` (or the
one resource it needs) as an argument, and request dependencies read ``request.app.state``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import create_engine, create_sessionmaker
from evodash.core.http import create_http_client
from evodash.realtime import with_bus
from evodash.realtime.bus import EventBus, create_bus

if TYPE_CHECKING:
    from redis.asyncio import Redis


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    bus: EventBus
    #: With ``REDIS_URL``: state shared by the processes (the login throttle).
    redis: Redis | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Build the resources (data folders, secret key, engine, HTTP client, bus, Redis);
    close them when the block ends."""
    settings.ensure_dirs()
    settings.secret()  # generate and keep the key now, not in the middle of a request
    engine = create_engine(settings.database_url)
    bus = create_bus(settings.redis_url)
    http = create_http_client(settings)
    redis: Redis | None = None
    if settings.redis_url:
        import redis.asyncio as aioredis

        redis = aioredis.from_url(settings.redis_url, decode_responses=True)
    try:
        await bus.start()
        maker = with_bus(create_sessionmaker(engine), bus)  # committed events: on the bus
        yield Services(settings, engine, maker, http, bus, redis)
    finally:
        await bus.stop()
        if redis is not None:
            await redis.aclose()
        await http.aclose()
        await engine.dispose()
