"""Webhook posts take a lean way into the app (``main.EvodashApp``): evodash's own middleware
and exception handlers, not the whole stack. Whatever a sender posts, the answer must be
the one the whole stack gives: the same status, body and headers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from evodash.core import metrics
from evodash.core.config import Settings
from evodash.main import EvodashApp
from evodash.webhooks import SECRET_HEADER
from tests.conftest import AppRunner
from tests.webhooks.support import Hooked, InstanceFactory, text_message

LIMIT = 4096

#: Headers that differ from one answer to the next whatever the path.
_VARYING = {"x-request-id", "date"}


@pytest.fixture
async def app(settings: Settings, run_app: AppRunner) -> AsyncIterator[FastAPI]:
    """The app, with a webhook body limit a test can reach (conftest's ``client`` calls
    this one)."""
    settings.webhook_max_body_bytes = LIMIT
    async with run_app(settings) as application:
        yield application


def _request_cases(hooked: Hooked) -> list[tuple[str, dict[str, Any]]]:
    url, good = hooked.url, hooked.headers
    event = json.dumps(text_message("LEAN-1")).encode()
    return [
        ("wrong secret", {"url": url, "content": event, "headers": {SECRET_HEADER: "nope"}}),
        ("no secret", {"url": url, "content": event}),
        ("not json", {"url": url, "content": b"{not json", "headers": good}),
        ("not an event", {"url": url, "content": b'{"hello": 1}', "headers": good}),
        ("a list", {"url": url, "content": b"[1, 2]", "headers": good}),
        (
            "too large",
            {"url": url, "content": b"{" + b" " * LIMIT + b"}", "headers": good},
        ),
        ("id zero", {"url": "/api/webhooks/evolution/0", "content": event, "headers": good}),
        ("id text", {"url": "/api/webhooks/evolution/abc", "content": event, "headers": good}),
        (
            "id too large",
            {"url": "/api/webhooks/evolution/99999999999", "content": event, "headers": good},
        ),
        (
            "suffix of another event",
            {"url": f"{url}/connection-update", "content": event, "headers": good},
        ),
        ("bad suffix", {"url": f"{url}/no%20spaces", "content": event, "headers": good}),
        ("too deep", {"url": url, "content": b"[" * 200 + b"]" * 200, "headers": good}),
        ("one segment too many", {"url": f"{url}/a/b", "content": event, "headers": good}),
        ("unknown instance", {"url": "/api/webhooks/evolution/424242", "content": event}),
    ]


async def _answers(
    client: httpx.AsyncClient, hooked: Hooked
) -> dict[str, tuple[int, Any, dict[str, str]]]:
    answers = {}
    for name, request in _request_cases(hooked):
        response = await client.post(**request)
        headers = {k: v for k, v in response.headers.items() if k not in _VARYING}
        answers[name] = (response.status_code, response.json(), headers)
    return answers


class TestSameAnswersAsTheWholeStack:
    async def test_every_refusal(
        self, app: FastAPI, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        assert isinstance(app, EvodashApp)
        hooked = await instances.create()
        lean = await _answers(client, hooked)
        app.webhook_fast_path = False
        assert app._webhook_stack is not None  # the first round took the lean way
        whole = await _answers(client, hooked)
        assert lean == whole
        # Each case was refused, and for its own reason.
        assert {status for status, _, _ in lean.values()} == {400, 401, 404, 413, 422}
        assert lean["id zero"][0] == lean["suffix of another event"][0] == 422
        assert lean["one segment too many"][0] == 404

    async def test_an_accepted_event(
        self, app: FastAPI, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        hooked = await instances.create()
        answers = []
        for fast in (True, False):
            app.webhook_fast_path = fast  # type: ignore[attr-defined]
            response = await client.post(
                hooked.url, json=text_message(f"LEAN-{fast}"), headers=hooked.headers
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert isinstance(body.pop("event_id"), int)
            headers = {k: v for k, v in response.headers.items() if k not in _VARYING}
            answers.append((body, headers))
            assert response.headers["x-request-id"]
        assert answers[0] == answers[1]
        # evodash's security headers are on the receipt.
        assert answers[0][1]["x-content-type-options"] == "nosniff"

    async def test_other_methods_and_paths_take_the_whole_stack(
        self, app: FastAPI, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        hooked = await instances.create()
        wrong_method = await client.get(hooked.url)
        assert wrong_method.status_code == 405
        assert wrong_method.json()["error"] == "method_not_allowed"
        assert "POST" in wrong_method.headers["allow"]
        # A request id sent by the caller is kept, as on any other route.
        response = await client.post(
            hooked.url,
            json=text_message("LEAN-ID"),
            headers={**hooked.headers, "X-Request-ID": "from-evolution-1"},
        )
        assert response.headers["x-request-id"] == "from-evolution-1"


async def test_a_bug_in_the_receiver_is_the_json_500_and_the_connection_stays_open(
    app: FastAPI,
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hooked = await instances.create()

    async def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.state.webhook_tasks.receiver, "receive", broken)
    answers = []
    for fast in (True, False):
        app.webhook_fast_path = fast  # type: ignore[attr-defined]
        response = await client.post(hooked.url, json=text_message("BUG"), headers=hooked.headers)
        headers = {k: v for k, v in response.headers.items() if k not in _VARYING}
        answers.append((response.status_code, response.json(), headers))
    assert answers[0] == answers[1]
    assert answers[0][0] == 500 and answers[0][1]["error"] == "internal_error"
    assert answers[0][2].get("connection") != "close"


async def test_webhook_requests_are_counted_under_their_route(
    client: httpx.AsyncClient, instances: InstanceFactory
) -> None:
    hooked = await instances.create()

    def count() -> float:
        value = metrics.REGISTRY.get_sample_value(
            "evodash_http_requests_total",
            {"method": "POST", "route": "/api/webhooks/evolution/{instance_id}", "status": "200"},
        )
        return value or 0.0

    before = count()
    response = await client.post(hooked.url, json=text_message("COUNTED"), headers=hooked.headers)
    assert response.status_code == 200
    assert count() == before + 1
