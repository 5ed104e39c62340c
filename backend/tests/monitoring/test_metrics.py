"""``GET /metrics``: who may read it, that it parses with Prometheus's own parser, and that
its figures move when requests, webhooks, jobs and Evolution calls happen."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.alerts.models import Alert
from evodash.api import route_templates
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.evolution.client import EvolutionClient
from evodash.evolution.errors import EvolutionUnreachable
from evodash.instances.models import EvolutionInstance
from evodash.jobs.errors import PermanentJobFailure
from evodash.jobs.models import ImageProcessingJob
from evodash.jobs.pipeline import JobContext
from evodash.jobs.worker import Worker
from tests import loopback
from tests.conftest import AppRunner
from tests.factories import UserFactory
from tests.fixtures import load_evolution_json
from tests.webhooks.support import InstanceFactory, post_event, text_message

TOKEN = "scrape-token-0123456789abcdef"
Headers = Callable[..., Awaitable[dict[str, str]]]


def parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition by (name, sorted labels)."""
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})


@pytest.fixture
def instances(db: async_sessionmaker[AsyncSession]) -> InstanceFactory:
    return InstanceFactory(db)


async def scrape(client: httpx.AsyncClient) -> dict[Any, float]:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


class TestAccess:
    async def test_the_metrics_token_reads_it(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/metrics", headers=_bearer(TOKEN))
        assert response.status_code == 200
        families = {f.name: f.type for f in text_string_to_metric_families(response.text)}
        assert families["evodash_http_requests"] == "counter"
        assert families["evodash_webhook_ingest_seconds"] == "histogram"
        assert families["evodash_instances"] == "gauge"

    async def test_no_credentials_or_a_wrong_token_is_401(self, client: httpx.AsyncClient) -> None:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789abcdef"}):
            response = await client.get("/metrics", headers=headers)
            assert response.status_code == 401
            assert response.json()["error"] == "not_authenticated"

    async def test_an_admin_may_read_it_others_may_not(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: Headers
    ) -> None:
        admin = await client.get("/metrics", headers=await as_user(await users.admin()))
        assert admin.status_code == 200
        for user in (await users.operator(), await users.viewer()):
            response = await client.get("/metrics", headers=await as_user(user))
            assert response.status_code == 403

    async def test_without_a_token_configured_only_admins(
        self, settings: Settings, run_app: AppRunner, users: UserFactory, as_user: Headers
    ) -> None:
        untokened = settings.model_copy(update={"metrics_token": None})
        admin = await as_user(await users.admin())
        async with run_app(untokened) as app, _client(app) as client:
            assert (await client.get("/metrics", headers=_bearer(TOKEN))).status_code == 401
            assert (await client.get("/metrics", headers=admin)).status_code == 200

    def test_a_short_token_is_refused_at_startup(self, settings: Settings) -> None:
        with pytest.raises(ValueError, match="at least 24"):
            Settings(**{**settings.model_dump(), "metrics_token": "short"})


class TestFigures:
    async def test_http_requests_are_counted_by_route_template(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: Headers
    ) -> None:
        headers = await as_user(await users.admin())
        before = await scrape(client)
        for instance_id in (101, 102, 103):  # three paths, one route
            assert (
                await client.get(f"/api/instances/{instance_id}", headers=headers)
            ).status_code == 404
        after = await scrape(client)
        route = "/api/instances/{instance_id}"
        labels = {"method": "GET", "route": route, "status": "404"}
        assert (
            value(after, "evodash_http_requests_total", **labels)
            - value(before, "evodash_http_requests_total", **labels)
            == 3
        )
        assert value(after, "evodash_http_request_duration_seconds_count", route=route) >= 3
        # No series carries a raw path.
        assert not any("101" in dict(labels_).get("route", "") for _, labels_ in after)

    def test_route_templates_are_built_once_per_process(self) -> None:
        templates = route_templates()
        assert route_templates() is templates  # every app of the process reads the same
        assert "/api/instances/{instance_id}" in templates.values()

    async def test_webhooks_received_and_applied_move_their_counters(
        self, client: httpx.AsyncClient, instances: InstanceFactory
    ) -> None:
        hooked = await instances.create("metrics-shop")
        before = await scrape(client)
        body = text_message("MSG-METRICS-1", instance="metrics-shop")
        assert (await post_event(client, hooked, body)).status_code == 200
        assert (await post_event(client, hooked, body, secret="wrong")).status_code == 401
        weird = {**body, "event": "made.up.event"}
        assert (await post_event(client, hooked, weird)).status_code in (200, 422)
        after = await scrape(client)

        def delta(event: str, result: str) -> float:
            name = "evodash_webhook_events_total"
            return value(after, name, event=event, result=result) - value(
                before, name, event=event, result=result
            )

        assert delta("messages.upsert", "received") == 1
        assert delta("messages.upsert", "processed") == 1
        assert delta("other", "unauthorized") == 1
        assert not any("made.up" in dict(labels).get("event", "") for _, labels in after)
        assert (
            value(after, "evodash_webhook_ingest_seconds_count")
            - value(before, "evodash_webhook_ingest_seconds_count")
            >= 1
        )

    async def test_instances_per_server_and_status_from_the_database(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        await instances.create("g-open-1", status="open", server_url="http://gauge.test")
        await instances.create("g-open-2", status="open", server_url="http://gauge.test")
        gone = await instances.create("g-gone", status="open", server_url="http://gauge.test")
        await instances.create("g-close", status="close", server_url="http://gauge.test")
        async with db() as session:
            row = await session.get(EvolutionInstance, gone.id)
            assert row is not None
            row.deleted_at = utcnow()
            await session.commit()
        server = f"server-{_server_number(await scrape(client), 'g')}"
        samples = await scrape(client)
        assert value(samples, "evodash_instances", server=server, status="open") == 2
        assert value(samples, "evodash_instances", server=server, status="close") == 1
        # Zeros are present, so that an alert on "no instance open" meets a series.
        assert ("evodash_instances", (("server", server), ("status", "refused"))) in samples

    async def test_alerts_firing_per_rule_from_the_database(
        self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
    ) -> None:
        async with db() as session:
            for n, (rule, state) in enumerate(
                [
                    ("zombie", "firing"),
                    ("zombie", "firing"),
                    ("down", "resolved"),
                    ("down", "pending"),
                ]
            ):
                session.add(
                    Alert(
                        rule=rule,
                        subject_type="instance",
                        subject_id=n,
                        subject_key=f"instance:{n}",
                        subject_label=f"Shop {n}",
                        state=state,
                    )
                )
            await session.commit()
        samples = await scrape(client)
        assert value(samples, "evodash_alerts_firing", rule="zombie") == 2
        assert value(samples, "evodash_alerts_firing", rule="down") == 0  # present, zero
        assert ("evodash_alerts_firing", (("rule", "flapping"),)) in samples

    async def test_job_attempts_and_durations(
        self,
        client: httpx.AsyncClient,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        async def ok(ctx: JobContext) -> dict[str, Any]:
            return {"fine": True}

        async def broken(ctx: JobContext) -> dict[str, Any]:
            raise PermanentJobFailure("not an invoice")

        async with db() as session:
            session.add_all(
                [
                    ImageProcessingJob(kind="metrics-ok", max_attempts=1),
                    ImageProcessingJob(kind="metrics-bad", max_attempts=1),
                ]
            )
            await session.commit()
        before = await scrape(client)
        async with loopback.client() as http:
            worker = Worker(db, settings, http, handlers={"metrics-ok": ok, "metrics-bad": broken})
            assert await worker.run_once()
            assert await worker.run_once()
        after = await scrape(client)
        jobs = "evodash_jobs_total"
        assert (
            value(after, jobs, kind="metrics-ok", status="succeeded")
            - value(before, jobs, kind="metrics-ok", status="succeeded")
            == 1
        )
        assert (
            value(after, jobs, kind="metrics-bad", status="failed")
            - value(before, jobs, kind="metrics-bad", status="failed")
            == 1
        )
        assert value(after, "evodash_job_duration_seconds_count", kind="metrics-ok") >= 1

    async def test_evolution_calls_by_server_and_outcome(self, client: httpx.AsyncClient) -> None:
        base = "http://metrics-evolution.test"
        before = await scrape(client)
        async with loopback.client() as http:
            evolution = EvolutionClient(
                http, base, "key", timeout=5, connect_timeout=2, read_retries=0
            )
            root = load_evolution_json("recorded/root_get_with_apikey.json")["body"]
            with respx.mock(assert_all_called=True) as mock:
                mock.get(f"{base}/").respond(200, json=root)
                mock.get(f"{base}/instance/fetchInstances").mock(
                    side_effect=httpx.ConnectError("refused")
                )
                await evolution.root()
                with pytest.raises(EvolutionUnreachable):
                    await evolution.fetch_instances()
        after = await scrape(client)
        name = "evodash_evolution_requests_total"
        for outcome in ("ok", "unreachable"):
            assert (
                value(after, name, server=base, outcome=outcome)
                - value(before, name, server=base, outcome=outcome)
                == 1
            )


def _server_number(samples: dict[Any, float], _: str) -> str:
    """The factory names servers ``server-<n>``: the one of the gauge test's instances."""
    names = {dict(labels)["server"] for name, labels in samples if name == "evodash_instances"}
    found = [
        n
        for n in names
        if samples.get(("evodash_instances", (("server", n), ("status", "close")))) == 1
    ]
    assert len(found) == 1, names
    return found[0].removeprefix("server-")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _client(app: FastAPI) -> httpx.AsyncClient:
    return loopback.client(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def test_several_processes_are_added_up(tmp_path: Path) -> None:
    """Multiprocess mode: two processes count, a third one's exposition has the sum."""
    folder = tmp_path / "prom"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    count = textwrap.dedent(
        """
        from evodash.core import metrics
        metrics.observe_request("GET", "/api/servers", 200, 0.01)
        metrics.count_webhook("messages.upsert", "received", 5)
        """
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    show = "from evodash.core import metrics; print(metrics.render().decode())"
    out = subprocess.run(
        [sys.executable, "-c", show],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    samples = parse(out)
    assert (
        value(
            samples, "evodash_http_requests_total", method="GET", route="/api/servers", status="200"
        )
        == 2
    )
    assert (
        value(samples, "evodash_webhook_events_total", event="messages.upsert", result="received")
        == 10
    )
    assert value(samples, "evodash_http_request_duration_seconds_count", route="/api/servers") == 2
