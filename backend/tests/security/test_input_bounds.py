"""Huge numbers and edge dates in every integer and date parameter are a 4xx, never a 500.

The walk covers every operation of the OpenAPI document, so a route added later without
the bounded types of ``evodash.core.params`` fails here. Bodies are covered for the
fields that carry ids and dates.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from evodash.core.params import MAX_INT32, MAX_INT64
from tests.factories import UserFactory

AsUser = Callable[[Any], Awaitable[dict[str, str]]]

HUGE_INTEGERS = [str(2**63), str(2**64 + 1), "1e400", "-1", "0", "1.5", "9" * 40]
EDGE_DATES = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "2026-01-31T12:00:00",  # no UTC offset
    "2026-13-45T99:99:99Z",
]


def _operations(app: FastAPI) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def _schema(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = parameter["schema"]
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return dict(option)
    return dict(schema)


def _bounded(app: FastAPI) -> list[tuple[str, str, str, str, str]]:
    """(method, path, location, name, kind) of every integer and date-time parameter."""
    found = []
    for method, path, operation in _operations(app):
        for parameter in operation.get("parameters", []):
            schema = _schema(parameter)
            kind = "int" if schema.get("type") == "integer" else schema.get("format")
            if kind in ("int", "date-time"):
                found.append((method, path, parameter["in"], parameter["name"], kind))
    return found


def _url(path: str, override: tuple[str, str] | None = None) -> str:
    url = path
    for name in ("instance_id", "server_id", "user_id", "key_id", "job_id", "message_id"):
        url = url.replace("{" + name + "}", "1")
    for name in ("event_id", "delivery_id"):
        url = url.replace("{" + name + "}", "1")
    url = url.replace("{event_name}", "messages-upsert")
    if override is not None:
        name, value = override
        url = path.replace("{" + name + "}", value)
        return _url(url)
    return url


@pytest.fixture
async def admin(users: UserFactory, as_user: AsUser) -> dict[str, str]:
    return await as_user(await users.admin())


class TestTheDocumentStatesTheBounds:
    def test_every_integer_parameter_has_a_minimum_and_a_maximum(self, app: FastAPI) -> None:
        params = _bounded(app)
        assert len(params) > 40
        for method, path, location, name, kind in params:
            if kind != "int":
                continue
            parameter = next(
                p
                for p in dict(_operations_by_key(app))[(method, path)].get("parameters", [])
                if p["name"] == name and p["in"] == location
            )
            schema = _schema(parameter)
            assert "minimum" in schema and "maximum" in schema, (method, path, name)
            assert schema["maximum"] in (100, 200, 1_000_000, MAX_INT32, MAX_INT64), (path, name)

    def test_every_date_parameter_is_bounded_to_sane_years(self, app: FastAPI) -> None:
        dates = [p for p in _bounded(app) if p[4] == "date-time"]
        assert {p[3] for p in dates} >= {"since", "until", "created_from", "created_to"}
        for method, path, location, name, _ in dates:
            parameter = next(
                p
                for p in dict(_operations_by_key(app))[(method, path)]["parameters"]
                if p["name"] == name and p["in"] == location
            )
            assert _schema(parameter)["pattern"] == "^20[0-9]{2}-", (path, name)


def _operations_by_key(app: FastAPI) -> Iterator[tuple[tuple[str, str], dict[str, Any]]]:
    for method, path, operation in _operations(app):
        yield (method, path), operation


class TestEveryParameter:
    async def test_huge_numbers_and_edge_dates_are_4xx(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        tried = 0
        for method, path, location, name, kind in _bounded(app):
            values = HUGE_INTEGERS if kind == "int" else EDGE_DATES
            for value in values:
                if location == "path":
                    url, params = _url(path, (name, value)), {}
                else:
                    url, params = _url(path), {name: value}
                response = await client.request(
                    method, url, params=params, headers=admin, json=None
                )
                tried += 1
                assert 400 <= response.status_code < 500, (
                    f"{method} {path} {name}={value}: {response.status_code} {response.text}"
                )
                if response.status_code == 422 and location == "query":
                    fields = [e["field"] for e in response.json()["errors"]]
                    assert name in fields or any(f.startswith(name) for f in fields), (
                        f"{method} {path} {name}={value}: {response.text}"
                    )
        assert tried > 250


class TestBodies:
    @pytest.mark.parametrize("value", [2**63, 2**31, 2**100, -1, 0])
    async def test_ids_in_bodies(
        self, client: httpx.AsyncClient, admin: dict[str, str], value: int
    ) -> None:
        bodies = [
            ("POST", "/api/instances/sync", {"instance_ids": [value]}),
            ("POST", "/api/instances", {"display_name": "A", "name": "abc", "server_id": value}),
            ("POST", "/api/instances/import", {"server_id": value, "instances": [{"name": "a"}]}),
        ]
        for method, url, body in bodies:
            response = await client.request(method, url, json=body, headers=admin)
            assert response.status_code == 422, (url, value, response.text)

    async def test_a_json_number_too_big_for_a_float(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        for url, raw in [
            ("/api/instances/sync", b'{"instance_ids": [1e400]}'),
            ("/api/instances/sync", b'{"instance_ids": [' + b"9" * 5000 + b"]}"),
            ("/api/instances", b'{"display_name": "A", "name": "abc", "server_id": 1e400}'),
        ]:
            response = await client.post(
                url, content=raw, headers={**admin, "Content-Type": "application/json"}
            )
            assert 400 <= response.status_code < 500, (url, response.text)

    @pytest.mark.parametrize("value", [*EDGE_DATES, 0, 1e300])
    async def test_dates_in_bodies(
        self, client: httpx.AsyncClient, admin: dict[str, str], value: Any
    ) -> None:
        response = await client.post(
            "/api/auth/api-keys", json={"name": "k", "expires_at": value}, headers=admin
        )
        assert response.status_code == 422, (value, response.text)
        assert response.json()["errors"][0]["field"] == "expires_at"

    async def test_a_sane_date_is_accepted(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/auth/api-keys",
            json={"name": "k", "expires_at": "2099-12-31T23:59:59-14:00"},
            headers=admin,
        )
        assert response.status_code == 201, response.text


class TestCursors:
    @pytest.mark.parametrize(
        "cursor",
        [
            "WzAsMV0",  # [0,1]: not a time
            "WyI5OTk5LTEyLTMxVDIzOjU5OjU5LTE0OjAwIiwxXQ",  # ["9999-12-31T23:59:59-14:00",1]
            "WyIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsMTAwMDAwMDAwMDAwMDAwMDAwMDAwXQ",  # id 1e20
            "WyIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsLTFd",  # id -1
            "W1tbW1tbW1tbW1tbW1tbW1tbXV1dXV1dXV1dXV1dXV1dXV1dXV0",  # nested lists
            "A" * 500,
            "not base64!",
        ],
    )
    @pytest.mark.parametrize(
        "url", ["/api/messages", "/api/webhooks/events", "/api/webhooks/deliveries"]
    )
    async def test_forged_cursors_are_4xx(
        self, client: httpx.AsyncClient, admin: dict[str, str], url: str, cursor: str
    ) -> None:
        response = await client.get(url, params={"cursor": cursor}, headers=admin)
        assert response.status_code in (400, 422), response.text
