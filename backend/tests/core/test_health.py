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
