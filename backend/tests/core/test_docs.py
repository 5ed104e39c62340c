"""/docs, /redoc and /openapi.json: served from evodash itself, and only when enabled."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from evodash.core.config import Settings
from evodash.main import create_app
from tests import loopback
from tests.conftest import TEST_SECRET

DOC_PATHS = ("/docs", "/redoc", "/openapi.json")


def _settings(settings: Settings, **changes: object) -> Settings:
    values = settings.model_dump()
    values.update(changes)
    values["secret_key"] = TEST_SECRET
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with loopback.client(transport=transport, base_url="http://testserver") as c:
            yield c


class TestDocsPages:
    async def test_pages_load_their_assets_from_evodash_only(
        self, client: httpx.AsyncClient
    ) -> None:
        for path in ("/docs", "/redoc"):
            page = await client.get(path)
            assert page.status_code == 200
            urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
            urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", page.text)
            assert urls, page.text
            assert not [u for u in urls if u.startswith(("http:", "https:", "//"))], urls
            for url in urls:
                if url.startswith("/docs-assets/"):
                    asset = await client.get(url)
                    assert asset.status_code == 200, url
                    assert len(asset.content) > 1000

    async def test_the_docs_policy_allows_no_other_origin(self, client: httpx.AsyncClient) -> None:
        policy = (await client.get("/docs")).headers["Content-Security-Policy"]
        assert "http" not in policy
        assert "script-src 'self' 'unsafe-inline'" in policy


@pytest.mark.parametrize(
    ("environment", "enabled", "served"),
    [
        ("development", None, True),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
async def test_api_docs_enabled_setting(
    settings: Settings,
    tmp_path: Path,
    db: object,
    environment: str,
    enabled: bool | None,
    served: bool,
) -> None:
    changed = _settings(settings, environment=environment, api_docs_enabled=enabled)
    async for client in _client(changed):
        for path in DOC_PATHS:
            response = await client.get(path)
            assert response.status_code == (200 if served else 404), path
        # The API itself does not depend on it.
        assert (await client.get("/api/auth/me")).status_code == 401
