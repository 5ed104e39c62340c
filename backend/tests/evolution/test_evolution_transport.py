"""Failures outside the recordings: broken bodies, network errors, retries, timeouts, logs."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
import pytest
import respx
import structlog
from pydantic import SecretStr
from structlog.testing import capture_logs

from evodash.core.config import get_settings
from evodash.evolution import (
    ActionResult,
    ConnectOutcome,
    ConnectResult,
    EvolutionClient,
    EvolutionError,
    EvolutionNotFound,
    EvolutionRejected,
    EvolutionTimeout,
    EvolutionUnauthorized,
    EvolutionUnexpectedAnswer,
    EvolutionUnreachable,
    InstanceSettings,
    WebhookConfig,
    transport,
)
from tests.evolution.conftest import (
    API_KEY,
    BASE_URL,
    REQUESTS_DIR,
    FakeSleep,
    json_response,
    load_json,
)

Invoke = Callable[[EvolutionClient], Awaitable[object]]
STATE_PATH = "/instance/connectionState/acme"
STATE_OK = {"instance": {"instanceName": "acme", "state": "open"}}
HOOK = WebhookConfig(url="https://dash.example/hook", events=["CONNECTION_UPDATE"])


def unexpected(what: str, method: str = "GET", path: str = STATE_PATH) -> str:
    return (
        f"The Evolution server at {BASE_URL} gave an unexpected answer to {method} {path}: {what}."
    )


class TestBrokenAnswers:
    async def test_html_page_is_unexpected(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).respond(
            200, text="<html><body>Welcome to nginx!</body></html>", content_type="text/html"
        )
        with pytest.raises(EvolutionUnexpectedAnswer) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == unexpected("a body that is not JSON (HTTP 200, text/html)")
        assert caught.value.status_code == 502

    async def test_empty_body_is_unexpected(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).respond(200, content=b"")
        with pytest.raises(EvolutionUnexpectedAnswer) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == unexpected("an empty body (HTTP 200)")

    async def test_null_is_unexpected_where_an_object_is_due(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).mock(return_value=json_response(200, None))
        with pytest.raises(EvolutionUnexpectedAnswer) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == unexpected("null (HTTP 200)")

    @pytest.mark.parametrize("body", [b"", b"null", b"  \n"])
    async def test_find_answers_none_when_nothing_is_configured(
        self, body: bytes, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get("/webhook/find/acme").respond(200, content=body)
        evolution.get("/settings/find/acme").respond(200, content=body)
        assert await client.find_webhook("acme") is None
        assert await client.find_settings("acme") is None

    @pytest.mark.parametrize(
        ("body", "what"),
        [
            (
                {"instance": {"instanceName": 5, "state": "open"}},
                "instance.instanceName: Input should be a valid string",
            ),
            (
                {"instance": {"instanceName": "acme", "state": "refused"}},
                "instance.state: Input should be 'open', 'connecting' or 'close'",
            ),
            ({"instance": "acme"}, "instance: Input should be an object"),
            (["acme"], "body: Input should be an object"),
        ],
    )
    async def test_wrong_types_are_unexpected(
        self, body: object, what: str, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).mock(return_value=json_response(200, body))
        with pytest.raises(EvolutionUnexpectedAnswer) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == unexpected(f"wrong data ({what})")

    async def test_v1_fetch_instances_object_is_unexpected(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        # 1.x answered one object (not a list) when filtering by name.
        evolution.get("/instance/fetchInstances").mock(
            return_value=json_response(200, {"instance": {"instanceName": "acme"}})
        )
        with pytest.raises(EvolutionUnexpectedAnswer, match="Input should be a valid list"):
            await client.fetch_instances("acme")

    async def test_v1_create_hash_object_is_unexpected(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.post("/instance/create").mock(
            return_value=json_response(
                201,
                {
                    "instance": {"instanceName": "acme", "instanceId": "1", "status": "created"},
                    "hash": {"apikey": "secret-token"},
                },
            )
        )
        with pytest.raises(EvolutionUnexpectedAnswer) as caught:
            await client.create_instance("acme")
        assert "hash: Input should be a valid string" in caught.value.detail
        assert "secret-token" not in caught.value.detail

    async def test_many_validation_errors_are_summarized(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.post("/chat/getBase64FromMediaMessage/acme").mock(
            return_value=json_response(201, {"size": 1})
        )
        with pytest.raises(EvolutionUnexpectedAnswer) as caught:
            await client.get_base64_from_media_message("acme", message_id="X")
        assert caught.value.detail.endswith("; and 1 more).")

    async def test_server_garbage_500_on_a_write_is_unexpected_and_not_retried(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        route = evolution.post("/message/sendText/acme").respond(500, text="Internal error")
        with pytest.raises(EvolutionUnexpectedAnswer) as caught:
            await client.send_text("acme", "5521998765432", "hi")
        assert caught.value.detail == unexpected(
            "HTTP 500 without an Evolution message", "POST", "/message/sendText/acme"
        )
        assert caught.value.extra == {"evolution_status": 500}
        assert route.call_count == 1

    @pytest.mark.parametrize("status", [502, 503, 504])
    async def test_proxy_without_evolution_is_unreachable(
        self, status: int, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).respond(status, text="<html>Bad Gateway</html>")
        with pytest.raises(EvolutionUnreachable) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == (
            f"The Evolution server at {BASE_URL} is unavailable "
            f"(HTTP {status} without an Evolution answer)."
        )

    async def test_401_without_an_envelope_is_still_the_key(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).respond(401, text="Unauthorized")
        with pytest.raises(EvolutionUnauthorized, match="Check the API key"):
            await client.connection_state("acme")

    async def test_404_html_is_unexpected_not_a_missing_instance(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).respond(404, text="<h1>Not Found</h1>")
        with pytest.raises(EvolutionUnexpectedAnswer) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == unexpected("HTTP 404 without an Evolution message")

    async def test_redirect_is_unexpected(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).respond(302, headers={"Location": "https://login.example/"})
        with pytest.raises(EvolutionUnexpectedAnswer, match="HTTP 302"):
            await client.connection_state("acme")

    async def test_other_envelope_errors_are_rejections(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        body = {"status": 403, "error": "Forbidden", "response": {"message": ["Forbidden"]}}
        evolution.get(STATE_PATH).mock(return_value=json_response(403, body))
        with pytest.raises(EvolutionRejected) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == (
            'Evolution could not read the state of instance "acme": Forbidden'
        )
        assert caught.value.extra == {"evolution_status": 403, "evolution_message": "Forbidden"}

    async def test_long_messages_are_shortened(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        body = {"status": 500, "error": "x", "response": {"message": ["Prisma " + "x" * 5000]}}
        evolution.post("/instance/create").mock(return_value=json_response(500, body))
        with pytest.raises(EvolutionRejected) as caught:
            await client.create_instance("acme")
        message = caught.value.evolution_message
        assert message is not None
        assert len(message) == 1000
        assert message.endswith("…")


class TestErrorOn200:
    """connect and restart answer 200 {"error": true, "message": "[object Object]"}."""

    BODY = {"error": True, "message": "[object Object]"}

    async def test_restart(self, evolution: respx.MockRouter, client: EvolutionClient) -> None:
        evolution.post("/instance/restart/acme").mock(return_value=json_response(200, self.BODY))
        with pytest.raises(EvolutionRejected) as caught:
            await client.restart("acme")
        assert caught.value.detail == (
            'Evolution could not restart instance "acme": it reported an error without '
            "details ([object Object]). Restart only works while the instance is open or "
            "connecting; use connect instead."
        )
        assert caught.value.extra == {
            "evolution_status": 200,
            "evolution_message": "[object Object]",
        }

    async def test_any_endpoint(self, evolution: respx.MockRouter, client: EvolutionClient) -> None:
        evolution.delete("/instance/logout/acme").mock(
            return_value=json_response(200, {"error": True})
        )
        with pytest.raises(EvolutionRejected) as caught:
            await client.logout("acme")
        assert caught.value.detail == (
            'Evolution could not log out instance "acme": it reported an error without '
            "details (no message)."
        )

    async def test_error_false_is_success(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        body = {"status": "SUCCESS", "error": False, "response": {"message": "Instance deleted"}}
        evolution.delete("/instance/delete/acme").mock(return_value=json_response(200, body))
        assert await client.delete("acme") == ActionResult(
            status="SUCCESS", message="Instance deleted"
        )


class TestConnect:
    async def test_instance_shape_other_than_open_means_no_qr_yet(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        body = {"instance": {"instanceName": "acme", "state": "connecting"}}
        evolution.get("/instance/connect/acme").mock(return_value=json_response(200, body))
        assert await client.connect("acme") == ConnectResult(outcome=ConnectOutcome.NO_QR_YET)

    async def test_qr_without_count_is_unexpected(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get("/instance/connect/acme").mock(return_value=json_response(200, {}))
        with pytest.raises(EvolutionUnexpectedAnswer, match=r"count: Field required"):
            await client.connect("acme")

    async def test_raw_code_without_image_is_still_a_qr(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        body = {"pairingCode": None, "code": "2@abc", "count": 3}
        evolution.get("/instance/connect/acme").mock(return_value=json_response(200, body))
        assert await client.connect("acme") == ConnectResult(
            outcome=ConnectOutcome.QR_CODE, code="2@abc", count=3
        )


NETWORK_ERRORS = [
    (httpx.ConnectError("[Errno 111] Connection refused"), EvolutionUnreachable),
    (httpx.ConnectError("[Errno -2] Name or service not known"), EvolutionUnreachable),
    (httpx.RemoteProtocolError("Server disconnected"), EvolutionUnreachable),
    (httpx.ReadError("Connection reset by peer"), EvolutionUnreachable),
    (httpx.ReadTimeout("timed out"), EvolutionTimeout),
    (httpx.ConnectTimeout("timed out"), EvolutionTimeout),
]


class TestNetworkFailures:
    async def test_connection_refused(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).mock(side_effect=httpx.ConnectError("[Errno 111] refused"))
        with pytest.raises(EvolutionUnreachable) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == (
            f"Cannot reach the Evolution server at {BASE_URL}: "
            "connection failed ([Errno 111] refused)."
        )
        assert caught.value.status_code == 502
        assert isinstance(caught.value.__cause__, httpx.ConnectError)

    async def test_read_timeout(self, evolution: respx.MockRouter, client: EvolutionClient) -> None:
        evolution.get("/instance/connect/acme").mock(side_effect=httpx.ReadTimeout("timed out"))
        with pytest.raises(EvolutionTimeout) as caught:
            await client.connect("acme")
        assert caught.value.detail == (
            f"The Evolution server at {BASE_URL} did not answer within 15 s "
            '(trying to connect instance "acme").'
        )
        assert caught.value.status_code == 504

    async def test_connect_timeout(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.post("/instance/create").mock(side_effect=httpx.ConnectTimeout("timed out"))
        with pytest.raises(EvolutionTimeout) as caught:
            await client.create_instance("acme")
        assert caught.value.detail == (
            f"The Evolution server at {BASE_URL} did not accept a connection within 5 s "
            '(trying to create instance "acme").'
        )

    async def test_invalid_base_url(self, http: httpx.AsyncClient) -> None:
        client = EvolutionClient(
            http, "evolution.test:8080", API_KEY, timeout=1, connect_timeout=1, read_retries=0
        )
        with pytest.raises(EvolutionUnreachable, match="the base URL is not valid"):
            await client.root()

    async def test_unmocked_http_error_cannot_escape(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        evolution.get(STATE_PATH).mock(side_effect=httpx.DecodingError("bad gzip"))
        with pytest.raises(EvolutionUnreachable, match="DecodingError bad gzip"):
            await client.connection_state("acme")


READS: list[tuple[str, str, Invoke]] = [
    ("GET", "/", lambda c: c.root()),
    ("GET", "/instance/fetchInstances", lambda c: c.fetch_instances()),
    ("GET", STATE_PATH, lambda c: c.connection_state("acme")),
    ("GET", "/webhook/find/acme", lambda c: c.find_webhook("acme")),
    ("GET", "/settings/find/acme", lambda c: c.find_settings("acme")),
]
WRITES: list[tuple[str, str, Invoke]] = [
    ("POST", "/instance/create", lambda c: c.create_instance("acme")),
    ("GET", "/instance/connect/acme", lambda c: c.connect("acme")),
    ("POST", "/instance/restart/acme", lambda c: c.restart("acme")),
    ("DELETE", "/instance/logout/acme", lambda c: c.logout("acme")),
    ("DELETE", "/instance/delete/acme", lambda c: c.delete("acme")),
    ("POST", "/webhook/set/acme", lambda c: c.set_webhook("acme", HOOK)),
    ("POST", "/settings/set/acme", lambda c: c.set_settings("acme", InstanceSettings())),
    ("POST", "/message/sendText/acme", lambda c: c.send_text("acme", "5521998765432", "hi")),
    (
        "POST",
        "/chat/getBase64FromMediaMessage/acme",
        lambda c: c.get_base64_from_media_message("acme", message_id="X"),
    ),
]
ENVELOPE_500 = {"status": 500, "error": "Internal Server Error", "response": {"message": "boom"}}


def _ids(calls: list[tuple[str, str, Invoke]]) -> list[str]:
    return [f"{method} {path}" for method, path, _ in calls]


class TestRetries:
    @pytest.mark.parametrize(("method", "path", "invoke"), READS, ids=_ids(READS))
    @pytest.mark.parametrize(("side_effect", "error"), NETWORK_ERRORS)
    async def test_reads_are_retried_then_fail(
        self,
        method: str,
        path: str,
        invoke: Invoke,
        side_effect: Exception,
        error: type[EvolutionError],
        evolution: respx.MockRouter,
        client: EvolutionClient,
        fake_sleep: FakeSleep,
    ) -> None:
        route = evolution.route(method=method, path=path).mock(side_effect=side_effect)
        with pytest.raises(error):
            await invoke(client)
        assert route.call_count == 3
        assert fake_sleep.delays == [0.5, 1.0]

    @pytest.mark.parametrize(("method", "path", "invoke"), WRITES, ids=_ids(WRITES))
    @pytest.mark.parametrize(("side_effect", "error"), NETWORK_ERRORS)
    async def test_writes_are_never_retried(
        self,
        method: str,
        path: str,
        invoke: Invoke,
        side_effect: Exception,
        error: type[EvolutionError],
        evolution: respx.MockRouter,
        client: EvolutionClient,
        fake_sleep: FakeSleep,
    ) -> None:
        route = evolution.route(method=method, path=path).mock(side_effect=side_effect)
        with pytest.raises(error):
            await invoke(client)
        assert route.call_count == 1
        assert fake_sleep.delays == []

    @pytest.mark.parametrize(("method", "path", "invoke"), WRITES, ids=_ids(WRITES))
    async def test_writes_are_not_retried_on_5xx(
        self,
        method: str,
        path: str,
        invoke: Invoke,
        evolution: respx.MockRouter,
        client: EvolutionClient,
    ) -> None:
        route = evolution.route(method=method, path=path).mock(
            return_value=json_response(500, ENVELOPE_500)
        )
        with pytest.raises(EvolutionRejected, match="boom"):
            await invoke(client)
        assert route.call_count == 1

    async def test_read_recovers_after_transient_failures(
        self, evolution: respx.MockRouter, client: EvolutionClient, fake_sleep: FakeSleep
    ) -> None:
        route = evolution.get(STATE_PATH).mock(
            side_effect=[
                httpx.ConnectError("refused"),
                json_response(500, ENVELOPE_500),
                json_response(200, STATE_OK),
            ]
        )
        state = await client.connection_state("acme")
        assert state.state == "open"
        assert route.call_count == 3
        assert fake_sleep.delays == [0.5, 1.0]

    async def test_last_5xx_answer_is_reported(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        route = evolution.get(STATE_PATH).mock(return_value=json_response(500, ENVELOPE_500))
        with pytest.raises(EvolutionRejected) as caught:
            await client.connection_state("acme")
        assert caught.value.detail == 'Evolution could not read the state of instance "acme": boom'
        assert route.call_count == 3

    async def test_client_errors_are_not_retried(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        body = {"status": 404, "error": "Not Found", "response": {"message": ["gone"]}}
        route = evolution.get(STATE_PATH).mock(return_value=json_response(404, body))
        with pytest.raises(EvolutionNotFound):
            await client.connection_state("acme")
        assert route.call_count == 1

    async def test_backoff_is_exponential_and_capped(
        self, evolution: respx.MockRouter, http: httpx.AsyncClient, fake_sleep: FakeSleep
    ) -> None:
        client = EvolutionClient(
            http,
            BASE_URL,
            API_KEY,
            timeout=15,
            connect_timeout=5,
            read_retries=5,
            retry_base_delay=1.5,
            sleep=fake_sleep,
        )
        route = evolution.get("/").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(EvolutionUnreachable):
            await client.root()
        assert route.call_count == 6
        assert fake_sleep.delays == [1.5, 3.0, 5.0, 5.0, 5.0]

    async def test_zero_retries(
        self, evolution: respx.MockRouter, http: httpx.AsyncClient, fake_sleep: FakeSleep
    ) -> None:
        client = EvolutionClient(
            http, BASE_URL, API_KEY, timeout=15, connect_timeout=5, read_retries=0, sleep=fake_sleep
        )
        route = evolution.get("/").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(EvolutionUnreachable):
            await client.root()
        assert route.call_count == 1
        assert fake_sleep.delays == []


def _timeouts(route: respx.Route) -> dict[str, float]:
    timeouts: dict[str, float] = route.calls.last.request.extensions["timeout"]
    return timeouts


class TestTimeouts:
    def _client(self, http: httpx.AsyncClient, timeout: float) -> EvolutionClient:
        return EvolutionClient(
            http, BASE_URL, API_KEY, timeout=timeout, connect_timeout=3, read_retries=0
        )

    @pytest.mark.parametrize(
        ("configured", "method", "path", "invoke", "read"),
        [
            (5, "POST", "/instance/create", lambda c: c.create_instance("acme"), 15),
            (30, "POST", "/instance/create", lambda c: c.create_instance("acme"), 30),
            (5, "GET", "/instance/connect/acme", lambda c: c.connect("acme"), 15),
            (5, "GET", "/", lambda c: c.root(), 10),
            (12, "GET", "/", lambda c: c.root(), 12),
            (60, "GET", "/", lambda c: c.root(), 15),
            (5, "GET", STATE_PATH, lambda c: c.connection_state("acme"), 5),
            (5, "DELETE", "/instance/logout/acme", lambda c: c.logout("acme"), 5),
            (
                15,
                "POST",
                "/message/sendText/acme",
                lambda c: c.send_text("acme", "55", "hi", delay_ms=1200),
                16.2,
            ),
            (
                15,
                "POST",
                "/chat/getBase64FromMediaMessage/acme",
                lambda c: c.get_base64_from_media_message("acme", message_id="X"),
                30,
            ),
        ],
    )
    async def test_every_call_has_a_timeout(
        self,
        configured: float,
        method: str,
        path: str,
        invoke: Invoke,
        read: float,
        evolution: respx.MockRouter,
        http: httpx.AsyncClient,
    ) -> None:
        route = evolution.route(method=method, path=path).respond(599)
        with pytest.raises(EvolutionError):
            await invoke(self._client(http, configured))
        assert _timeouts(route) == {"connect": 3, "read": read, "write": read, "pool": read}

    async def test_defaults_come_from_the_settings(
        self, evolution: respx.MockRouter, http: httpx.AsyncClient
    ) -> None:
        settings = get_settings()
        delays: list[float] = []

        async def sleep(delay: float) -> None:
            delays.append(delay)

        client = EvolutionClient(http, BASE_URL, API_KEY, sleep=sleep)
        route = evolution.get(STATE_PATH).mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(EvolutionUnreachable):
            await client.connection_state("acme")
        assert route.call_count == 1 + settings.evolution_read_retries
        assert _timeouts(route)["read"] == settings.evolution_timeout_seconds
        assert _timeouts(route)["connect"] == settings.evolution_connect_timeout_seconds


class TestRequests:
    async def test_api_key_header(
        self, evolution: respx.MockRouter, http: httpx.AsyncClient
    ) -> None:
        route = evolution.get(STATE_PATH).mock(return_value=json_response(200, STATE_OK))
        client = EvolutionClient(
            http,
            BASE_URL,
            SecretStr("instance-token"),
            timeout=5,
            connect_timeout=5,
            read_retries=0,
        )
        await client.connection_state("acme")
        assert route.calls.last.request.headers["apikey"] == "instance-token"
        assert "instance-token" not in repr(client)

    @pytest.mark.parametrize(
        ("name", "raw_path"),
        [
            ("acme support", "/instance/connectionState/acme%20support"),
            ("a/b?c#d", "/instance/connectionState/a%2Fb%3Fc%23d"),
            ("ação", "/instance/connectionState/a%C3%A7%C3%A3o"),
        ],
    )
    async def test_instance_names_are_one_quoted_segment(
        self, name: str, raw_path: str, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        route = evolution.get(url__regex=r".*").mock(return_value=json_response(200, STATE_OK))
        await client.connection_state(name)
        assert route.calls.last.request.url.raw_path.decode() == raw_path

    async def test_fetch_by_name_is_a_query_parameter(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        route = evolution.get("/instance/fetchInstances").mock(return_value=json_response(200, []))
        assert await client.fetch_instances("acme support") == []
        assert route.calls.last.request.url.params["instanceName"] == "acme support"

    @pytest.mark.parametrize(
        "invoke",
        [
            lambda c: c.connection_state(""),
            lambda c: c.create_instance(""),
            lambda c: c.fetch_instances(""),
        ],
    )
    async def test_empty_names_are_refused_before_sending(
        self, invoke: Invoke, client: EvolutionClient
    ) -> None:
        with pytest.raises(ValueError, match="must not be empty"):
            await invoke(client)

    async def test_base_url_with_prefix_and_credentials(
        self, http: httpx.AsyncClient, fake_sleep: FakeSleep
    ) -> None:
        client = EvolutionClient(
            http,
            "http://user:pw@proxy.test/evolution/",
            API_KEY,
            timeout=5,
            connect_timeout=5,
            read_retries=0,
        )
        with respx.mock() as router:
            route = router.get("http://proxy.test/evolution/").mock(
                side_effect=httpx.ConnectError("refused")
            )
            with pytest.raises(EvolutionUnreachable) as caught:
                await client.root()
        assert route.called
        assert "pw" not in caught.value.detail
        assert "http://proxy.test/evolution" in caught.value.detail

    async def test_pairing_code_create_body(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        route = evolution.post("/instance/create").respond(599)
        with pytest.raises(EvolutionError):
            await client.create_instance(
                "gamma-ops",
                number="5511912345678",
                qrcode=True,
                webhook=WebhookConfig(
                    url="https://dashboard.example.com/api/webhooks/evolution",
                    events=load_json(REQUESTS_DIR / "instance-create-pairing-code.json")["webhook"][
                        "events"
                    ],
                ),
            )
        assert json.loads(route.calls.last.request.content) == load_json(
            REQUESTS_DIR / "instance-create-pairing-code.json"
        )

    async def test_quoted_reply_body(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        route = evolution.post("/message/sendText/acme").respond(599)
        with pytest.raises(EvolutionError):
            await client.send_text(
                "acme",
                "182736455463728@lid",
                "Claro! Segue em anexo.",
                quoted_id="A5F3C2B1D4E6F7A8B9C0D1E2F3A4B5C6",
                quoted_text="Oi! Vocês abrem amanhã?",
            )
        assert json.loads(route.calls.last.request.content) == load_json(
            REQUESTS_DIR / "send-text-reply.json"
        )

    async def test_mentions_body(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        route = evolution.post("/message/sendText/acme").respond(599)
        with pytest.raises(EvolutionError):
            await client.send_text(
                "acme",
                "120363025987654321@g.us",
                "@todos",
                mentions_everyone=True,
                mentioned=("5521998765432",),
            )
        assert json.loads(route.calls.last.request.content) == {
            "number": "120363025987654321@g.us",
            "text": "@todos",
            "mentionsEveryOne": True,
            "mentioned": ["5521998765432"],
        }

    async def test_media_by_full_message_body(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        example = load_json(REQUESTS_DIR / "get-base64-full-message.json")
        route = evolution.post("/chat/getBase64FromMediaMessage/acme").respond(599)
        with pytest.raises(EvolutionError):
            await client.get_base64_from_media_message("acme", message=example["message"])
        assert json.loads(route.calls.last.request.content) == example

    @pytest.mark.parametrize("kwargs", [{}, {"message_id": "X", "message": {"key": {"id": "X"}}}])
    async def test_media_needs_exactly_one_reference(
        self, kwargs: dict[str, object], client: EvolutionClient
    ) -> None:
        with pytest.raises(ValueError, match="exactly one"):
            await client.get_base64_from_media_message("acme", **kwargs)  # type: ignore[arg-type]

    async def test_disable_webhook_body(
        self, evolution: respx.MockRouter, client: EvolutionClient
    ) -> None:
        route = evolution.post("/webhook/set/acme").respond(599)
        url = load_json(REQUESTS_DIR / "webhook-disable.json")["webhook"]["url"]
        with pytest.raises(EvolutionError):
            await client.set_webhook("acme", WebhookConfig(url=url, enabled=False, events=[]))
        assert json.loads(route.calls.last.request.content) == {
            "webhook": {
                "enabled": False,
                "url": url,
                "events": [],
                "byEvents": False,
                "base64": False,
            }
        }


class TestLogging:
    async def test_calls_are_logged_without_secrets(
        self,
        evolution: respx.MockRouter,
        http: httpx.AsyncClient,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # A fresh logger: the module's own may be bound for good by an app another test
        # started with logger caching on (production settings), out of capture_logs' reach.
        monkeypatch.setattr(transport, "log", structlog.get_logger(transport.__name__))
        token = "E3B0C442-98FC-4C14-9AFB-F4C8996FB924"
        create = load_json(REQUESTS_DIR.parent / "responses" / "instance-create.json")
        evolution.post("/instance/create").mock(return_value=json_response(201, create))
        evolution.get(STATE_PATH).mock(side_effect=httpx.ConnectError("refused"))
        client = EvolutionClient(
            http, BASE_URL, "global-secret-key", timeout=5, connect_timeout=5, read_retries=0
        )
        with capture_logs() as logs:
            created = await client.create_instance("acme-support", token=token, qrcode=True)
            with pytest.raises(EvolutionUnreachable):
                await client.connection_state("acme")

        assert created.token == token
        assert token not in repr(created)
        response, failure = logs
        assert response["event"] == "evolution.response"
        assert response["method"] == "POST"
        assert response["path"] == "/instance/create"
        assert response["status"] == 201
        assert response["server"] == BASE_URL
        assert isinstance(response["elapsed_ms"], float)
        assert failure["event"] == "evolution.request_failed"
        assert failure["log_level"] == "warning"
        assert failure["error"] == "ConnectError"
        assert failure["path"] == STATE_PATH
        text = repr(logs)
        assert "global-secret-key" not in text
        assert token not in text
