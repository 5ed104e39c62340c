from __future__ import annotations

import json

import httpx
import pytest

from tests import loopback


class TestHealth:
    async def test_healthz_answers_without_credentials(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"

    async def test_readyz_checks_the_database(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["database"] == "ok"

    async def test_every_response_has_a_request_id(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz", headers={"X-Request-ID": "abc123"})
        assert response.headers["X-Request-ID"] == "abc123"


class TestErrors:
    async def test_unknown_api_route_is_json_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/nope")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"

    async def test_validation_error_is_readable(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/auth/login", json={"username": "x"})
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "validation_error"
        assert "password" in body["detail"]
        assert body["errors"][0]["field"] == "password"

    async def test_body_over_the_limit_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/auth/login",
            content=b"x" * (2 * 1024 * 1024),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["error"] == "payload_too_large"

    async def test_spa_placeholder_when_not_built(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/instances/3")
        assert response.status_code == 200
        assert "not built" in response.text
        assert "Content-Security-Policy" in response.headers


class TestOpenAPI:
    async def test_every_operation_is_tagged_summarised_and_named(
        self, client: httpx.AsyncClient
    ) -> None:
        spec = (await client.get("/openapi.json")).json()
        for path, item in spec["paths"].items():
            for method, op in item.items():
                assert op.get("tags"), f"{method} {path} has no tag"
                assert op.get("summary"), f"{method} {path} has no summary"
                assert op["operationId"].startswith(op["tags"][0] + "-"), op["operationId"]

    async def test_docs_pages_are_served(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/redoc")).status_code == 200


class TestSpaServing:
    async def test_built_spa_is_served_compressed_with_immutable_assets(
        self, settings: object, tmp_path: object
    ) -> None:
        from pathlib import Path

        from asgi_lifespan import LifespanManager

        from evodash.main import create_app

        dist = Path(str(tmp_path)) / "dist"
        (dist / "assets").mkdir(parents=True)
        (dist / "index.html").write_text("<!doctype html><div id=root></div>" + " " * 2000)
        (dist / "assets" / "index-abc123.js").write_text("console.log(1);" * 500)
        app = create_app(settings.model_copy(update={"frontend_dist": dist}))  # type: ignore[attr-defined]
        async with (
            LifespanManager(app),
            loopback.client(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as client,
        ):
            page = await client.get("/instances/7", headers={"Accept-Encoding": "gzip"})
            assert page.status_code == 200
            assert "id=root" in page.text
            assert page.headers["content-encoding"] == "gzip"
            assert page.headers["cache-control"] == "no-cache"
            asset = await client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
            assert asset.headers["content-encoding"] == "gzip"
            assert "immutable" in asset.headers["cache-control"]
            missing = await client.get("/api/does-not-exist")
            assert missing.status_code == 404
            assert missing.json()["error"] == "not_found"


class TestSpaRouteHints:
    """index.html names each page's chunks and first data (core/spa.py)."""

    HINTS = {
        "/": {
            "modules": ["/assets/dashboard-1.js"],
            "styles": [],
            "data": ["/api/stats/overview"],
            "session": ["/api/auth/me"],
        },
        "/instances": {
            "modules": ["/assets/list-1.js", "/assets/shared-1.js"],
            "styles": ["/assets/shared-1.css"],
            "data": ["/api/instances?page=1&page_size=20", "/api/servers?page=1&page_size=200"],
            "session": ["/api/auth/me"],
        },
        "/login": {"modules": ["/assets/login-1.js"], "styles": [], "data": []},
        "/instances/:instanceId": {"modules": ["/assets/detail-1.js"], "styles": [], "data": []},
        "/instances/new": {"modules": ["/assets/new-1.js"], "styles": [], "data": []},
    }

    @staticmethod
    def _dist(tmp_path: object, hints: object) -> object:
        from pathlib import Path

        dist = Path(str(tmp_path)) / "dist"
        (dist / "assets").mkdir(parents=True)
        (dist / "index.html").write_text(
            '<!doctype html><html><head><script type="module" src="/assets/index-1.js">'
            "</script></head><body><div id=root></div></body></html>"
        )
        raw = hints if isinstance(hints, str) else json.dumps(hints)
        (dist / "route-hints.json").write_text(raw)
        return dist

    @staticmethod
    async def _pages(settings: object, dist: object, *urls: str, cookie: bool) -> list[str]:
        from asgi_lifespan import LifespanManager

        from evodash.main import create_app

        app = create_app(settings.model_copy(update={"frontend_dist": dist}))  # type: ignore[attr-defined]
        cookies = {settings.session_cookie_name: "anything"} if cookie else {}  # type: ignore[attr-defined]
        async with (
            LifespanManager(app),
            loopback.client(
                transport=httpx.ASGITransport(app=app),
                base_url="http://testserver",
                cookies=cookies,
            ) as client,
        ):
            pages = []
            for url in urls:
                response = await client.get(url)
                assert response.status_code == 200
                assert response.headers["cache-control"] == "no-cache"
                assert "id=root" in response.text
                pages.append(response.text)
            return pages

    async def test_each_page_names_its_chunks_styles_and_data(
        self, settings: object, tmp_path: object
    ) -> None:
        dist = self._dist(tmp_path, self.HINTS)
        instances, filtered, detail, new, unknown, root = await self._pages(
            settings,
            dist,
            "/instances",
            "/instances?status=open",
            "/instances/7",
            "/instances/new",
            "/nothing/here",
            "/",
            cookie=True,
        )
        head = instances.split("</head>")[0]
        assert '<link rel="modulepreload" crossorigin href="/assets/list-1.js">' in head
        assert '<link rel="modulepreload" crossorigin href="/assets/shared-1.js">' in head
        assert '<link rel="stylesheet" crossorigin href="/assets/shared-1.css">' in head
        assert (
            '<link rel="preload" as="fetch" crossorigin="use-credentials" '
            'href="/api/instances?page=1&amp;page_size=20">'
        ) in head
        assert "/api/servers?page=1&amp;page_size=200" in head
        me = '<link rel="preload" as="fetch" crossorigin="use-credentials" href="/api/auth/me">'
        assert me in head
        # A filtered view asks for other data: its code and the session check are announced.
        assert "list-1.js" in filtered and me in filtered
        assert "/api/instances" not in filtered
        assert "detail-1.js" in detail and "new-1.js" not in detail
        assert "new-1.js" in new and "detail-1.js" not in new
        assert "modulepreload" not in unknown
        assert 'href="/api/stats/overview"' in root and "list-1.js" not in root

    async def test_data_is_announced_only_with_a_session_cookie(
        self, settings: object, tmp_path: object
    ) -> None:
        page, login = await self._pages(
            settings, self._dist(tmp_path, self.HINTS), "/instances", "/login", cookie=False
        )
        assert "list-1.js" in page
        assert 'as="fetch"' not in page
        assert "login-1.js" in login and 'as="fetch"' not in login

    async def test_the_login_page_announces_no_session_check(
        self, settings: object, tmp_path: object
    ) -> None:
        (login,) = await self._pages(
            settings, self._dist(tmp_path, self.HINTS), "/login", cookie=True
        )
        assert "login-1.js" in login and "/api/auth/me" not in login

    @pytest.mark.parametrize(
        "hints",
        [
            "{not json",
            {"/instances": {"modules": ['"><script>alert(1)</script>']}},
            {"/instances": {"modules": ["https://evil.example/x.js"]}},
            {"/instances": {"modules": ["//evil.example/x.js"]}},
            {"/instances": {"modules": [], "session": ["https://evil.example/me"]}},
            {"/inst ances": {"modules": []}},
            ["/instances"],
        ],
    )
    async def test_a_broken_or_hostile_hints_file_serves_the_plain_page(
        self, settings: object, tmp_path: object, hints: object
    ) -> None:
        (page,) = await self._pages(
            settings, self._dist(tmp_path, hints), "/instances", cookie=True
        )
        assert "<script>alert" not in page
        assert "evil.example" not in page
        assert "modulepreload" not in page
