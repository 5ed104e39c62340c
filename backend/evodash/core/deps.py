"""Dependencies shared by every domain: settings, database session, HTTP client.

They read the resources the lifespan built (``request.app.state``) and are ``async``:
FastAPI runs a plain ``def`` dependency in its thread pool, a round trip per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import session_scope


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with session_scope(maker) as session:
        yield session


async def get_http_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.http
    return client


async def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# Function scope: the commit happens after the endpoint returns and before the response is
# sent, so a 2xx always means the data is durable.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SessionMakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
HttpClientDep = Annotated[httpx.AsyncClient, Depends(get_http_client)]
ClientIP = Annotated[str, Depends(client_ip)]
