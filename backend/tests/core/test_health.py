from __future__ import annotations

import httpx


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
            httpx.AsyncClient(
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
