"""The test suite's route cache (``tests/route_analysis_cache.py``) shares each route's
request handler between apps; that is only sound while no app overrides a dependency
(the handler looks overrides up on the app that built it first)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from evodash.core.config import Settings
from evodash.core.deps import get_settings_dep
from tests import loopback
from tests.conftest import AppRunner


async def test_a_test_app_cannot_override_a_dependency(
    settings: Settings, run_app: AppRunner
) -> None:
    async with run_app(settings) as app:
        with pytest.raises(RuntimeError, match="cannot override dependencies"):
            app.dependency_overrides[get_settings_dep] = lambda: settings
        with pytest.raises(RuntimeError, match="cannot override dependencies"):
            app.dependency_overrides.update({get_settings_dep: lambda: settings})
        assert app.dependency_overrides == {}


def _contexts(routes: list[object]) -> list[object]:
    found: list[object] = []
    for route in routes:
        if hasattr(route, "effective_candidates"):
            found += _contexts(route.effective_candidates())
        else:
            found.append(route)
    return found


async def test_apps_share_the_built_routes(settings: Settings, run_app: AppRunner) -> None:
    async def handler_of(app: FastAPI) -> object:
        transport = httpx.ASGITransport(app=app)
        async with loopback.client(transport=transport, base_url="http://testserver") as c:
            assert (await c.get("/api/servers")).status_code == 401
        return next(
            context.app  # type: ignore[attr-defined]
            for context in _contexts(list(app.router.routes))
            if getattr(context, "path", None) == "/api/servers"
            and "GET" in (getattr(context, "methods", None) or set())
        )

    async with run_app(settings) as first:
        one = await handler_of(first)
    async with run_app(settings) as second:
        two = await handler_of(second)
    assert one is two
