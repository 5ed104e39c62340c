"""Serve each example answer of ``tests/fixtures/evolution/responses/`` to the matching method.

The examples come from reading the server's source (CONTRACT.md); they cover what the
recordings could not show (an open instance, QR and pairing codes, media, the error
shapes). Where a ``requests/`` example exists for the call, the client must send it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from evodash.evolution import (
    RECOMMENDED_WEBHOOK_EVENTS,
    ActionResult,
    ConnectionState,
    ConnectOutcome,
    ConnectResult,
    CreatedInstance,
    CreatedWebhook,
    EvolutionClient,
    EvolutionConflict,
    EvolutionError,
    EvolutionNotFound,
    EvolutionRejected,
    EvolutionUnauthorized,
    EvolutionUnexpectedAnswer,
    InstanceCounts,
    InstanceSettings,
    MediaBase64,
    MediaSize,
    MessageKey,
    SentMessage,
    ServerInfo,
    WebhookConfig,
    WebhookInfo,
)
from tests.evolution.conftest import (
    BASE_URL,
    REQUESTS_DIR,
    RESPONSES_DIR,
    FakeSleep,
    json_response,
    load_json,
)

NAME = "acme-support"
QR_CODE = load_json(RESPONSES_DIR / "connect.json")["code"]
QR_PNG = load_json(RESPONSES_DIR / "connect.json")["base64"]
URL = "https://dashboard.example.com/api/webhooks/evolution"
SECRET_HEADER = {"x-webhook-secret": "wh_5f1c9a7e2b4d4c0e9a3b8d6f1e2c7a90"}
# The contract's recommended subscription, without STATUS_INSTANCE, as in its examples.
EVENTS = [event for event in RECOMMENDED_WEBHOOK_EVENTS if event != "STATUS_INSTANCE"]
MSG_CALL = "Não atendemos chamadas por aqui. Envie uma mensagem!"
ACME_SETTINGS = InstanceSettings(reject_call=True, msg_call=MSG_CALL, groups_ignore=True)
HOOK = WebhookConfig(url=URL, headers=SECRET_HEADER, base64=True, events=EVENTS)
HOOK_ROW = WebhookInfo(
    id="cm5y1q2ab0004l708x9kq3m2r",
    url=URL,
    headers=SECRET_HEADER,
    enabled=True,
    events=EVENTS,
    by_events=False,
    base64=True,
    created_at=datetime(2025, 1, 15, 14, 0, 0, 198000, tzinfo=UTC),
    updated_at=datetime(2025, 1, 15, 14, 20, 41, 118000, tzinfo=UTC),
    instance_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
)

# Examples of endpoints the client does not call (yet), with the reason.
NOT_CLIENT_ENDPOINTS = {
    "set-presence.json": "setPresence is optional for the dashboard",
    "verify-creds.json": "fetch_instances validates the key and is useful too",
    "whatsapp-numbers.json": "number checks are not part of the client yet",
}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    invoke: Callable[[EvolutionClient], Awaitable[object]]
    status: int = 200
    result: object = None
    check: Callable[[Any], None] | None = None
    error: type[EvolutionError] | None = None
    detail: str = ""
    request_example: str | None = None
    query: tuple[tuple[str, str], ...] = ()


def rejected(method: str, path: str, invoke: Any, status: int, detail: str) -> Case:
    return Case(method, path, invoke, status=status, error=EvolutionRejected, detail=detail)


def _check_fetch(rows: Any) -> None:
    acme, beta = rows
    assert acme.name == NAME
    assert acme.connection_status == "open"
    assert acme.owner_jid == "5511987654321@s.whatsapp.net"
    assert acme.profile_name == "Acme Support"
    assert acme.profile_pic_url.startswith("https://pps.whatsapp.net/")
    assert acme.counts == InstanceCounts(messages=1284, contacts=312, chats=97)
    assert acme.settings == InstanceSettings(
        reject_call=True, msg_call=MSG_CALL, groups_ignore=True, wavoip_token=""
    )
    assert beta.disconnection_reason_code == 401
    assert json.loads(beta.disconnection_object)["error"]["output"]["statusCode"] == 401
    assert beta.disconnection_at == datetime(2025, 1, 16, 14, 10, 12, 25000, tzinfo=UTC)


SEND = "/message/sendText/acme-support"
CASES: dict[str, Case] = {
    "connect-already-open.json": Case(
        "GET",
        "/instance/connect/acme-support",
        lambda c: c.connect(NAME),
        result=ConnectResult(outcome=ConnectOutcome.ALREADY_OPEN),
    ),
    "connect-error-200.json": rejected(
        "GET",
        "/instance/connect/acme-support",
        lambda c: c.connect(NAME),
        200,
        'Evolution could not connect instance "acme-support": it reported an error without '
        "details ([object Object]). The instance may not be loaded on the Evolution server; "
        "try again, or restart the Evolution server.",
    ),
    "connect-no-qr-yet.json": Case(
        "GET",
        "/instance/connect/acme-support",
        lambda c: c.connect(NAME),
        result=ConnectResult(outcome=ConnectOutcome.NO_QR_YET, count=0),
    ),
    "connect-pairing-code.json": Case(
        "GET",
        "/instance/connect/acme-support",
        lambda c: c.connect(NAME, number="5511987654321"),
        query=(("number", "5511987654321"),),
        result=ConnectResult(
            outcome=ConnectOutcome.PAIRING_CODE,
            code=QR_CODE,
            base64=QR_PNG,
            pairing_code="R7KX2QMB",
            count=1,
        ),
    ),
    "connect.json": Case(
        "GET",
        "/instance/connect/acme-support",
        lambda c: c.connect(NAME),
        result=ConnectResult(outcome=ConnectOutcome.QR_CODE, code=QR_CODE, base64=QR_PNG, count=1),
    ),
    **{
        f"connection-state-{state}.json": Case(
            "GET",
            "/instance/connectionState/acme-support",
            lambda c: c.connection_state(NAME),
            result=ConnectionState(instance_name=NAME, state=state),
        )
        for state in ("open", "connecting", "close")
    },
    "delete.json": Case(
        "DELETE",
        "/instance/delete/acme-support",
        lambda c: c.delete(NAME),
        result=ActionResult(status="SUCCESS", message="Instance deleted"),
    ),
    "error-400-invalid-integration.json": rejected(
        "POST",
        "/instance/create",
        lambda c: c.create_instance(NAME),
        400,
        'Evolution could not create instance "acme-support": Invalid integration',
    ),
    "error-400-media-message-not-found.json": rejected(
        "POST",
        "/chat/getBase64FromMediaMessage/acme-support",
        lambda c: c.get_base64_from_media_message(NAME, message_id="B7E2"),
        400,
        'Evolution could not download a media message through instance "acme-support": '
        "Message not found",
    ),
    "error-400-not-connected.json": rejected(
        "DELETE",
        "/instance/logout/acme-support",
        lambda c: c.logout(NAME),
        400,
        'Evolution could not log out instance "acme-support": '
        'The "acme-support" instance is not connected',
    ),
    "error-400-number-not-on-whatsapp.json": rejected(
        "POST",
        SEND,
        lambda c: c.send_text(NAME, "5521900000000", "Oi"),
        400,
        'Evolution could not send a text message through instance "acme-support": '
        "5521900000000 is not on WhatsApp",
    ),
    "error-400-validation.json": rejected(
        "POST",
        SEND,
        lambda c: c.send_text(NAME, "5521998765432", "Oi"),
        400,
        'Evolution could not send a text message through instance "acme-support": '
        'instance requires property "number"; instance requires property "text"',
    ),
    # No ``response`` wrapper (whatsappNumbers); served on sendText to test the parser.
    "error-400-whatsapp-numbers.json": rejected(
        "POST",
        SEND,
        lambda c: c.send_text(NAME, "5521998765432", "Oi"),
        400,
        'Evolution could not send a text message through instance "acme-support": '
        "numbers is not of a type(s) array",
    ),
    "error-401.json": Case(
        "GET",
        "/instance/fetchInstances",
        lambda c: c.fetch_instances(),
        status=401,
        error=EvolutionUnauthorized,
        detail=f"The Evolution server at {BASE_URL} rejected the API key (HTTP 401). "
        "Check the API key configured for this server.",
    ),
    "error-403-name-in-use.json": Case(
        "POST",
        "/instance/create",
        lambda c: c.create_instance(NAME),
        status=403,
        error=EvolutionConflict,
        detail='This name "acme-support" is already in use on the Evolution server.',
    ),
    "error-404-fetch-instances.json": Case(
        "GET",
        "/instance/fetchInstances",
        lambda c: c.fetch_instances("ghost-instance"),
        status=404,
        query=(("instanceName", "ghost-instance"),),
        error=EvolutionNotFound,
        detail='Instance "ghost-instance" not found on the Evolution server.',
    ),
    "error-404-instance.json": Case(
        "GET",
        "/instance/connectionState/ghost-instance",
        lambda c: c.connection_state("ghost-instance"),
        status=404,
        error=EvolutionNotFound,
        detail='The "ghost-instance" instance does not exist on the Evolution server.',
    ),
    # An unknown route is a wrong base URL or server version, not a missing instance.
    "error-404-route.json": Case(
        "POST",
        "/instance/restart/acme-support",
        lambda c: c.restart(NAME),
        status=404,
        error=EvolutionUnexpectedAnswer,
        detail=f"The Evolution server at {BASE_URL} gave an unexpected answer to "
        "POST /instance/restart/acme-support: unknown route (HTTP 404 "
        "'Cannot PUT /instance/restart/acme-support'); check the base URL and that the "
        "server runs Evolution API v2.",
    ),
    "error-500-connection-closed.json": rejected(
        "POST",
        SEND,
        lambda c: c.send_text(NAME, "5521998765432", "Oi"),
        500,
        'Evolution could not send a text message through instance "acme-support": '
        "Connection Closed",
    ),
    "error-500-webhook-events-missing.json": rejected(
        "POST",
        "/webhook/set/acme-support",
        lambda c: c.set_webhook(NAME, HOOK),
        500,
        'Evolution could not set the webhook of instance "acme-support": '
        "Cannot read properties of undefined (reading 'length')",
    ),
    "fetch-instances.json": Case(
        "GET", "/instance/fetchInstances", lambda c: c.fetch_instances(), check=_check_fetch
    ),
    "get-base64-from-media-message.json": Case(
        "POST",
        "/chat/getBase64FromMediaMessage/acme-support",
        lambda c: c.get_base64_from_media_message(
            NAME, message_id="B7E2D4F6A8C0E1F3A5B7C9D1E3F5A7B9"
        ),
        status=201,
        request_example="get-base64-by-id.json",
        result=MediaBase64(
            media_type="imageMessage",
            file_name="B7E2D4F6A8C0E1F3A5B7C9D1E3F5A7B9.jpeg",
            caption="Comprovante do pedido 4812",
            size=MediaSize(file_length=48213, height=1280, width=960),
            mimetype="image/jpeg",
            base64=load_json(RESPONSES_DIR / "get-base64-from-media-message.json")["base64"],
        ),
    ),
    "instance-create-no-qrcode.json": Case(
        "POST",
        "/instance/create",
        lambda c: c.create_instance("beta-sales", qrcode=False),
        status=201,
        request_example="instance-create-minimal.json",
        result=CreatedInstance(
            instance_name="beta-sales",
            instance_id="3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            integration="WHATSAPP-BAILEYS",
            status="close",
            token="9B2D4F6A-1C3E-4A5B-8D7F-0E1A2B3C4D5E",
            webhook=CreatedWebhook(),
            settings=InstanceSettings(msg_call="", wavoip_token=""),
        ),
    ),
    "instance-create.json": Case(
        "POST",
        "/instance/create",
        lambda c: c.create_instance(
            NAME,
            token="E3B0C442-98FC-4C14-9AFB-F4C8996FB924",
            qrcode=True,
            settings=ACME_SETTINGS,
            webhook=HOOK,
        ),
        status=201,
        request_example="instance-create.json",
        result=CreatedInstance(
            instance_name=NAME,
            instance_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
            integration="WHATSAPP-BAILEYS",
            status="connecting",
            token="E3B0C442-98FC-4C14-9AFB-F4C8996FB924",
            webhook=CreatedWebhook(url=URL, headers=SECRET_HEADER, by_events=False, base64=True),
            settings=ACME_SETTINGS.model_copy(update={"wavoip_token": ""}),
            qrcode=ConnectResult(
                outcome=ConnectOutcome.QR_CODE, code=QR_CODE, base64=QR_PNG, count=1
            ),
        ),
    ),
    "logout.json": Case(
        "DELETE",
        "/instance/logout/acme-support",
        lambda c: c.logout(NAME),
        result=ActionResult(status="SUCCESS", message="Instance logged out"),
    ),
    "restart.json": Case(
        "POST",
        "/instance/restart/acme-support",
        lambda c: c.restart(NAME),
        result=ConnectResult(outcome=ConnectOutcome.ALREADY_OPEN),
    ),
    "root.json": Case(
        "GET",
        "/",
        lambda c: c.root(),
        result=ServerInfo(
            version="2.3.6",
            message="Welcome to the Evolution API, it is working!",
            client_name="evolution_exchange",
            manager="http://evolution.example.com/manager",
            documentation="https://doc.evolution-api.com",
            whatsapp_web_version="2.3000.1019707846",
        ),
    ),
    "send-text.json": Case(
        "POST",
        SEND,
        lambda c: c.send_text(
            NAME, "5521998765432", "Sim, das 9h às 18h.", delay_ms=1200, link_preview=False
        ),
        status=201,
        request_example="send-text.json",
        result=SentMessage(
            key=MessageKey(
                id="3EB0C5A8F1D2E3B4A5C6D7",
                remote_jid="5521998765432@s.whatsapp.net",
                from_me=True,
            ),
            push_name="Você",
            status="PENDING",
            message_type="conversation",
            message_timestamp=1736950272,
            instance_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
            source="web",
            message={"conversation": "Sim, das 9h às 18h."},
            context_info=load_json(RESPONSES_DIR / "send-text.json")["contextInfo"],
        ),
    ),
    "settings-find.json": Case(
        "GET",
        "/settings/find/acme-support",
        lambda c: c.find_settings(NAME),
        result=ACME_SETTINGS.model_copy(update={"wavoip_token": ""}),
    ),
    "settings-set.json": Case(
        "POST",
        "/settings/set/acme-support",
        lambda c: c.set_settings(NAME, ACME_SETTINGS),
        status=201,
        request_example="settings-set.json",
        result=ACME_SETTINGS,
    ),
    "webhook-find-none.json": Case(
        "GET", "/webhook/find/acme-support", lambda c: c.find_webhook(NAME), result=None
    ),
    "webhook-find.json": Case(
        "GET", "/webhook/find/acme-support", lambda c: c.find_webhook(NAME), result=HOOK_ROW
    ),
    "webhook-set-disabled.json": Case(
        "POST",
        "/webhook/set/acme-support",
        lambda c: c.set_webhook(
            NAME, WebhookConfig(url=URL, enabled=False, events=[], headers=SECRET_HEADER)
        ),
        status=201,
        result=HOOK_ROW.model_copy(
            update={
                "enabled": False,
                "events": [],
                "updated_at": datetime(2025, 1, 15, 15, 2, 9, 331000, tzinfo=UTC),
            }
        ),
    ),
    "webhook-set.json": Case(
        "POST",
        "/webhook/set/acme-support",
        lambda c: c.set_webhook(NAME, HOOK),
        status=201,
        request_example="webhook-set.json",
        result=HOOK_ROW,
    ),
}


def response_files() -> list[str]:
    return sorted(path.name for path in RESPONSES_DIR.glob("*.json"))


def test_every_response_example_is_covered() -> None:
    files = set(response_files())
    assert files, f"no response examples found in {RESPONSES_DIR}"
    covered = CASES.keys() | NOT_CLIENT_ENDPOINTS.keys()
    assert not sorted(files - covered), "response examples without an expectation"
    assert not sorted(covered - files), "expectations for examples that no longer exist"


@pytest.mark.parametrize("filename", sorted(CASES))
async def test_response_example(
    filename: str,
    evolution: respx.MockRouter,
    client: EvolutionClient,
    fake_sleep: FakeSleep,
) -> None:
    case = CASES[filename]
    route = evolution.route(method=case.method, path=case.path).mock(
        return_value=json_response(case.status, load_json(RESPONSES_DIR / filename))
    )

    if case.error is not None:
        with pytest.raises(case.error) as caught:
            await case.invoke(client)
        assert type(caught.value) is case.error
        assert caught.value.detail == case.detail
        assert caught.value.extra["evolution_status"] == case.status
    elif case.check is not None:
        case.check(await case.invoke(client))
    else:
        assert await case.invoke(client) == case.result

    # Error answers to reads (5xx) are retried; none of these examples is one.
    assert route.call_count == 1
    assert fake_sleep.delays == []
    sent: httpx.Request = route.calls.last.request
    assert tuple(sent.url.params.multi_items()) == case.query
    if case.request_example is not None:
        assert json.loads(sent.content) == load_json(REQUESTS_DIR / case.request_example)
