"""Findings 5 and 6 of issue 11: where evodash may be made to call, and how much it reads.

5. Forward URLs accepted 127.0.0.1, [::1], 0x7f000001, 169.254.169.254 and user:pw@, and
   the delivery log (readable by viewers) then worked as a port scanner.
6. Answers from outside servers were read whole: a forward URL streaming 600 MB took the
   process from 184 MB to 1.3 GB. Every outbound answer now has a byte cap and a total
   deadline (forwarding, the Evolution client, media downloads).

The receivers are real HTTP servers on loopback.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core import outbound
from evodash.core.config import Settings
from evodash.evolution import EvolutionClient, EvolutionTimeout, EvolutionUnexpectedAnswer
from evodash.webhooks.models import WebhookDelivery
from tests import loopback
from tests.live import serve
from tests.webhooks.support import ForwardJobs, InstanceFactory, post_event, text_message

CHUNK = 64 * 1024
MEDIA_SIZE = 200_000
HUGE = 200 * 1024 * 1024  # what the "huge" answer would be, if anyone read it all


@dataclass
class Sink:
    """A server that records what reaches it and answers as told: normally, endlessly, or
    a byte at a time."""

    hits: list[str] = field(default_factory=list)
    sent_bytes: int = 0
    mode: str = "ok"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST", "DELETE"])
        async def anything(path: str, request: Request) -> object:
            await request.body()
            self.hits.append(path)
            if self.mode == "huge":
                return StreamingResponse(self._endless(), media_type="application/json")
            if self.mode == "drip":
                return StreamingResponse(self._drip(), media_type="application/json")
            if self.mode == "media":
                data = base64.b64encode(b"\xff" * MEDIA_SIZE).decode()
                return JSONResponse(
                    {"mediaType": "imageMessage", "mimetype": "image/jpeg", "base64": data}
                )
            return JSONResponse({"ok": True})

        return app

    async def _endless(self) -> AsyncIterator[bytes]:
        yield b'{"x": "'
        for _ in range(HUGE // CHUNK):
            self.sent_bytes += CHUNK
            yield b"a" * CHUNK

    async def _drip(self) -> AsyncIterator[bytes]:
        while True:
            yield b" "
            await asyncio.sleep(0.05)


@pytest.fixture
async def sink() -> AsyncIterator[tuple[Sink, str]]:
    recorder = Sink()
    async with serve(recorder.app()) as live:
        yield recorder, live.url


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    # The forwarder runs in the background, on its own sessions: only with real commits.
    if request.node.get_closest_marker("commits") is None:
        return settings
    return settings.model_copy(update={"background_tasks": True})


@pytest.fixture
async def forwarding(app: FastAPI) -> AsyncIterator[ForwardJobs]:
    """Forward jobs run by a worker of the test, one attempt each."""
    app.state.settings.forward_max_attempts = 1
    jobs = ForwardJobs(app)
    await jobs.worker.start()
    yield jobs
    await jobs.worker.stop(grace=5)


@pytest.fixture
def instances(db: async_sessionmaker[AsyncSession]) -> InstanceFactory:
    return InstanceFactory(db)


async def _deliveries(db: async_sessionmaker[AsyncSession]) -> list[WebhookDelivery]:
    async with db() as session:
        stmt = select(WebhookDelivery).order_by(WebhookDelivery.id)
        return list((await session.scalars(stmt)).all())


async def _forward_once(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    forwarding: ForwardJobs,
    db: async_sessionmaker[AsyncSession],
    url: str,
) -> WebhookDelivery:
    hooked = await instances.create("acme-support", forward_url=url)
    assert (await post_event(client, hooked, text_message("FWD-1"))).status_code == 200
    assert await forwarding.drain()
    [delivery] = await _deliveries(db)
    return delivery


class TestForwardUrlsAtInput:
    """Finding 5: what can be refused without resolving is refused when it is typed."""

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1/hook",
            "http://[::1]/hook",
            "http://0x7f000001/hook",
            "http://2130706433/hook",
            "http://127.1/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.7:8080/hook",
            "http://192.168.1.1/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://0.0.0.0/hook",
            "http://224.0.0.1/hook",
        ],
    )
    async def test_literal_internal_addresses_are_refused(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
        url: str,
    ) -> None:
        hooked = await instances.create()
        response = await client.post(
            f"/api/instances/{hooked.id}/destinations",
            json={"name": "n8n", "url": url},
            headers=operator_headers,
        )
        assert response.status_code == 422, response.text
        # IPv6 literals do not even match the URL pattern of the API description.
        assert response.json()["error"] in ("destination_url_refused", "validation_error")
        # Changing a destination's URL is checked the same way.
        made = await client.post(
            f"/api/instances/{hooked.id}/destinations",
            json={"name": "n8n", "url": "https://hooks.example.com/in"},
            headers=operator_headers,
        )
        changed = await client.patch(
            f"/api/instances/{hooked.id}/destinations/{made.json()['id']}",
            json={"url": url},
            headers=operator_headers,
        )
        assert changed.status_code == 422

    async def test_credentials_in_the_url_are_refused(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        response = await client.post(
            f"/api/instances/{hooked.id}/destinations",
            json={"name": "crm", "url": "https://user:pw@hooks.example.com/in"},
            headers=operator_headers,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "url"

    async def test_public_urls_are_accepted(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        response = await client.post(
            f"/api/instances/{hooked.id}/destinations",
            json={"name": "crm", "url": "https://hooks.example.com/in?token=abc"},
            headers=operator_headers,
        )
        assert response.status_code == 201

    async def test_the_setting_allows_private_networks(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
    ) -> None:
        app.state.settings.forward_allow_private_networks = True
        hooked = await instances.create()
        response = await client.post(
            f"/api/instances/{hooked.id}/destinations",
            json={"name": "crm", "url": "http://10.0.0.7:8080/hook"},
            headers=operator_headers,
        )
        assert response.status_code == 201


@pytest.mark.commits  # the forwarder runs in the background
class TestForwardUrlsAtSendTime:
    """Finding 5: names are resolved when each attempt is sent, and checked then."""

    async def test_a_name_resolving_to_loopback_is_not_called(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        forwarding: ForwardJobs,
        db: async_sessionmaker[AsyncSession],
        sink: tuple[Sink, str],
    ) -> None:
        recorder, url = sink
        port = url.rsplit(":", 1)[1]
        delivery = await _forward_once(
            client, instances, forwarding, db, f"http://localhost:{port}/hook"
        )
        assert recorder.hits == []
        assert delivery.status == "failed" and delivery.http_status is None
        assert delivery.error is not None
        assert "refused" in delivery.error and "loopback" in delivery.error

    async def test_with_the_setting_on_it_is_called(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        instances: InstanceFactory,
        forwarding: ForwardJobs,
        db: async_sessionmaker[AsyncSession],
        sink: tuple[Sink, str],
    ) -> None:
        app.state.settings.forward_allow_private_networks = True
        recorder, url = sink
        port = url.rsplit(":", 1)[1]
        delivery = await _forward_once(
            client, instances, forwarding, db, f"http://localhost:{port}/hook"
        )
        assert recorder.hits == ["hook"]
        assert delivery.status == "succeeded" and delivery.http_status == 200

    async def test_resolution_pins_the_checked_address(self) -> None:
        target, options = await outbound.resolve_checked(
            "https://localhost:8443/in?x=1", allow_private=True
        )
        assert target.host in ("127.0.0.1", "::1")
        assert options["headers"] == {"Host": "localhost:8443"}
        assert options["extensions"] == {"sni_hostname": "localhost"}
        with pytest.raises(outbound.DestinationRefused, match="loopback"):
            await outbound.resolve_checked("http://localhost/", allow_private=False)


@pytest.mark.commits  # the forwarder runs in the background
class TestWhatViewersSee:
    """Finding 5 / 13: viewers get a forward attempt's status, not its error text, and
    no credentials inside destination URLs."""

    async def test_deliveries_hide_errors_and_url_secrets_from_viewers(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        forwarding: ForwardJobs,
        db: async_sessionmaker[AsyncSession],
        viewer_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        await _forward_once(
            client, instances, forwarding, db, "http://localhost:9/hook?token=s3cret"
        )
        as_viewer = (await client.get("/api/webhooks/deliveries", headers=viewer_headers)).json()
        [item] = as_viewer["items"]
        assert item["status"] == "failed" and item["error"] is None
        assert item["url"] == "http://localhost:9/hook"
        as_operator = (
            await client.get("/api/webhooks/deliveries", headers=operator_headers)
        ).json()
        assert as_operator["items"][0]["error"]
        assert "s3cret" in as_operator["items"][0]["url"]

    async def test_destinations_show_viewers_the_url_without_secrets(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        viewer_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create(forward_url="https://hooks.example.com/in?token=s3cret")
        path = f"/api/instances/{hooked.id}/destinations"
        [read] = (await client.get(path, headers=viewer_headers)).json()
        assert read["url"] == "https://hooks.example.com/in"
        [full] = (await client.get(path, headers=operator_headers)).json()
        assert full["url"] == "https://hooks.example.com/in?token=s3cret"


@pytest.mark.commits  # the forwarder runs in the background
class TestForwardingLimits:
    """Finding 6: the receiver's answer is read up to a cap, within one deadline."""

    async def test_an_endless_answer_is_cut_at_the_cap(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        instances: InstanceFactory,
        forwarding: ForwardJobs,
        db: async_sessionmaker[AsyncSession],
        sink: tuple[Sink, str],
    ) -> None:
        app.state.settings.forward_allow_private_networks = True
        recorder, url = sink
        recorder.mode = "huge"
        delivery = await _forward_once(client, instances, forwarding, db, f"{url}/hook")
        # The receiver got the event (2xx); what it answered beyond the cap was not read.
        assert delivery.status == "succeeded" and delivery.http_status == 200

    async def test_reading_stops_at_the_cap(self, sink: tuple[Sink, str]) -> None:
        recorder, url = sink
        recorder.mode = "huge"
        async with loopback.client() as http:
            answer = await outbound.request_limited(
                http, "GET", url, max_bytes=100_000, total_timeout=5, truncate=True
            )
            assert answer.truncated and len(answer.content) == 100_000
            with pytest.raises(outbound.ResponseTooLarge, match=r"100,000 bytes \(byte limit\)"):
                await outbound.request_limited(http, "GET", url, max_bytes=100_000, total_timeout=5)

    async def test_a_dripping_answer_hits_the_total_time_limit(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        instances: InstanceFactory,
        forwarding: ForwardJobs,
        db: async_sessionmaker[AsyncSession],
        sink: tuple[Sink, str],
    ) -> None:
        app.state.settings.forward_allow_private_networks = True
        app.state.settings.forward_timeout_seconds = 0.5
        app.state.settings.forward_max_response_bytes = 10**9
        recorder, url = sink
        recorder.mode = "drip"
        delivery = await _forward_once(client, instances, forwarding, db, f"{url}/hook")
        assert delivery.status == "failed"
        assert delivery.error == "timed out: no complete answer within 0.5 s (total time limit)"


class TestEvolutionLimits:
    """Finding 6: the Evolution client and media downloads are capped too."""

    @staticmethod
    def _client(http: httpx.AsyncClient, url: str, **kwargs: object) -> EvolutionClient:
        return EvolutionClient(
            http,
            url,
            "key",
            timeout=0.5,
            connect_timeout=0.5,
            read_retries=0,
            **kwargs,  # type: ignore[arg-type]
        )

    async def test_an_endless_answer_hits_the_byte_limit(self, sink: tuple[Sink, str]) -> None:
        recorder, url = sink
        recorder.mode = "huge"
        async with loopback.client() as http:
            client = self._client(http, url, max_response_bytes=1_000_000)
            with pytest.raises(EvolutionUnexpectedAnswer, match=r"1,000,000 bytes \(byte limit\)"):
                await client.connection_state("acme")

    async def test_a_dripping_answer_hits_the_total_time_limit(
        self, sink: tuple[Sink, str]
    ) -> None:
        recorder, url = sink
        recorder.mode = "drip"
        async with loopback.client() as http:
            with pytest.raises(EvolutionTimeout, match=r"within 1 s \(total time limit\)"):
                await self._client(http, url).connection_state("acme")

    async def test_a_media_answer_over_the_image_limit_is_refused(
        self, sink: tuple[Sink, str]
    ) -> None:
        recorder, url = sink
        recorder.mode = "media"
        async with loopback.client() as http:
            small = self._client(http, url, max_media_bytes=3_000)
            with pytest.raises(EvolutionUnexpectedAnswer, match="byte limit"):
                await small.get_base64_from_media_message("acme", message_id="M1")
            roomy = self._client(http, url, max_media_bytes=MEDIA_SIZE)
            media = await roomy.get_base64_from_media_message("acme", message_id="M1")
        assert len(base64.b64decode(media.base64)) == MEDIA_SIZE


def test_settings_default_to_refusing_private_networks() -> None:
    assert Settings(_env_file=None).forward_allow_private_networks is False
    assert json.loads(Settings(_env_file=None).model_dump_json())["forward_max_response_bytes"]
