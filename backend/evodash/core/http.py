"""The shared outbound HTTP client, owned by the app's lifespan."""

from __future__ import annotations

import httpx

from evodash.core.config import Settings


def create_http_client(settings: Settings) -> httpx.AsyncClient:
    timeout = httpx.Timeout(
        settings.evolution_timeout_seconds, connect=settings.evolution_connect_timeout_seconds
    )
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    return httpx.AsyncClient(
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        headers={"User-Agent": "evodash/0.1"},
    )
