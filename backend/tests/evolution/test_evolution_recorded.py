"""Replay every real exchange in ``tests/fixtures/evolution/recorded/`` through the client.

Each recording is served (same method, path, status and body) to the client method that
makes that request, with the API key the recording used; the test checks the request the
client sent against the recorded one, then the exact result or domain error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import respx

from evodash.evolution import (
    WEBHOOK_EVENTS,
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
    InstanceCounts,
    InstanceInfo,
    InstanceSettings,
    ServerInfo,
    WebhookConfig,
    WebhookInfo,
)
from tests.evolution.conftest import BASE_URL, RECORDED_DIR, FakeSleep, load_json

Invoke = Callable[[EvolutionClient], Awaitable[object]]
UNAUTHORIZED = (
    f"The Evolution server at {BASE_URL} rejected the API key (HTTP 401). "
    "Check the API key configured for this server."
)
ROOT = ServerInfo(
    version="2.3.6",
    message="Welcome to the Evolution API, it is working!",
    client_name="evolution_exchange",
    manager="http://127.0.0.1:8081/manager",
    documentation="https://doc.evolution-api.com",
    whatsapp_web_version="2.3000.1027934701",
)
DEFAULT_SETTINGS = InstanceSettings(msg_call="", wavoip_token="")
HOOK_BASIC = WebhookInfo(
    id="cmx0zmup60009hd7dyptlg9nb",
    url="http://127.0.0.1:18090/hook-basic",
    headers={"x-a": "1"},
    enabled=True,
    events=[
        "QRCODE_UPDATED",
        "CONNECTION_UPDATE",
        "LOGOUT_INSTANCE",
        "REMOVE_INSTANCE",
        "INSTANCE_DELETE",
    ],
    by_events=False,
    base64=False,
    created_at=datetime(2026, 11, 28, 22, 34, 39, 978000, tzinfo=UTC),
    updated_at=datetime(2026, 11, 28, 22, 34, 39, 978000, tzinfo=UTC),
    instance_id="8309853a-8c96-48cc-872a-5f9393567705",
)
REC_HOOK_ROW = InstanceInfo(
    id="4abbd027-b910-43b1-b070-1676daa9a4f2",
    name="rec-hook",
    connection_status="close",
    integration="WHATSAPP-BAILEYS",
    token="6CEAC29D-E2B3-4494-837D-5D4082DC6CDD",
    client_name="evolution_exchange",
    created_at=datetime(2026, 11, 28, 22, 34, 21, 124000, tzinfo=UTC),
    updated_at=datetime(2026, 11, 28, 22, 34, 21, 124000, tzinfo=UTC),
    settings=DEFAULT_SETTINGS,
    counts=InstanceCounts(messages=0, contacts=0, chats=0),
)
SETTINGS_SET = InstanceSettings(reject_call=True, msg_call="I cannot take calls")


@dataclass(frozen=True)
class Case:
    """What calling ``invoke`` against one recording must give."""

    invoke: Invoke
    result: object = None
    check: Callable[[Any], None] | None = None
    error: type[EvolutionError] | None = None
    detail: str = ""
    evolution_status: int | None = None
    # The JSON the client must send, when it differs from the recorded request body.
    sent_body: Any = field(default=None)


def not_found(name: str, message: str) -> Case:
    return Case(
        invoke=lambda c: c.connection_state(name),
        error=EvolutionNotFound,
        detail=f"{message} on the Evolution server.",
        evolution_status=404,
    )


def _fetch_all_check(rows: object) -> None:
    assert isinstance(rows, list)
    assert [row.name for row in rows] == [
        "rec-basic",
        "rec-hook-byev",
        "rec-token",
        "rec-flat",
        "rec-hook",
        "rec-hook-badev",
    ]
    token_row = rows[2]
    assert token_row.token == "my-instance-token-123"
    assert token_row.settings == InstanceSettings(
        reject_call=True,
        msg_call="busy",
        groups_ignore=True,
        always_online=True,
        read_messages=True,
        wavoip_token="",
    )
    assert rows[4] == REC_HOOK_ROW
    assert {row.connection_status for row in rows} == {"close"}


CASES: dict[str, Case] = {
    "chat_getBase64FromMediaMessage_unknown_message_id.json": Case(
        invoke=lambda c: c.get_base64_from_media_message(
            "rec-hook", message_id="3EB0000000000000000000"
        ),
        error=EvolutionRejected,
        detail='Evolution could not download a media message through instance "rec-hook": '
        "Message not found",
        evolution_status=400,
    ),
    "instance_connect_first_call_close_state.json": Case(
        invoke=lambda c: c.connect("rec-hook"),
        result=ConnectResult(outcome=ConnectOutcome.NO_QR_YET, count=0),
    ),
    "instance_connect_unknown_instance.json": Case(
        invoke=lambda c: c.connect("no-such-instance"),
        error=EvolutionNotFound,
        detail='The "no-such-instance" instance does not exist on the Evolution server.',
        evolution_status=404,
    ),
    "instance_connectionState_close.json": Case(
        invoke=lambda c: c.connection_state("rec-basic"),
        result=ConnectionState(instance_name="rec-basic", state="close"),
    ),
    "instance_connectionState_connecting.json": Case(
        invoke=lambda c: c.connection_state("rec-hook"),
        result=ConnectionState(instance_name="rec-hook", state="connecting"),
    ),
    "instance_connectionState_unknown_instance.json": not_found(
        "no-such-instance", 'The "no-such-instance" instance does not exist'
    ),
    "instance_connectionState_wrong_apikey.json": Case(
        invoke=lambda c: c.connection_state("rec-basic"),
        error=EvolutionUnauthorized,
        detail=UNAUTHORIZED,
        evolution_status=401,
    ),
    "instance_create_duplicate_name.json": Case(
        invoke=lambda c: c.create_instance("rec-basic"),
        error=EvolutionConflict,
        detail='This name "rec-basic" is already in use on the Evolution server.',
        evolution_status=403,
    ),
    "instance_create_minimal_baileys.json": Case(
        invoke=lambda c: c.create_instance("rec-basic"),
        result=CreatedInstance(
            instance_name="rec-basic",
            instance_id="8309853a-8c96-48cc-872a-5f9393567705",
            integration="WHATSAPP-BAILEYS",
            status="close",
            token="1456648B-A243-4751-AAD8-B5A85AA1DAF6",
            webhook=CreatedWebhook(),
            settings=DEFAULT_SETTINGS,
        ),
    ),
    "instance_create_missing_apikey.json": Case(
        invoke=lambda c: c.create_instance("rec-noauth"),
        error=EvolutionUnauthorized,
        detail=UNAUTHORIZED,
        evolution_status=401,
    ),
    "instance_create_with_token_and_settings.json": Case(
        invoke=lambda c: c.create_instance(
            "rec-token",
            token="my-instance-token-123",
            qrcode=False,
            settings=InstanceSettings(
                reject_call=True,
                msg_call="busy",
                groups_ignore=True,
                always_online=True,
                read_messages=True,
            ),
        ),
        result=CreatedInstance(
            instance_name="rec-token",
            instance_id="e136db0b-9e69-4708-a3ce-a8bc6292e7e7",
            integration="WHATSAPP-BAILEYS",
            status="close",
            token="my-instance-token-123",
            webhook=CreatedWebhook(),
            settings=InstanceSettings(
                reject_call=True,
                msg_call="busy",
                groups_ignore=True,
                always_online=True,
                read_messages=True,
                wavoip_token="",
            ),
        ),
    ),
    "instance_create_with_webhook_object_all_events_byEvents_false.json": Case(
        invoke=lambda c: c.create_instance(
            "rec-hook",
            qrcode=False,
            webhook=WebhookConfig(
                url="http://127.0.0.1:18090/hook-a",
                headers={"x-test-header": "abc", "authorization": "Bearer test-token"},
                events=list(WEBHOOK_EVENTS),
            ),
        ),
        result=CreatedInstance(
            instance_name="rec-hook",
            instance_id="4abbd027-b910-43b1-b070-1676daa9a4f2",
            integration="WHATSAPP-BAILEYS",
            status="close",
            token="6CEAC29D-E2B3-4494-837D-5D4082DC6CDD",
            webhook=CreatedWebhook(
                url="http://127.0.0.1:18090/hook-a",
                headers={"x-test-header": "abc", "authorization": "Bearer test-token"},
                by_events=False,
                base64=False,
            ),
            settings=DEFAULT_SETTINGS,
        ),
    ),
    "instance_delete_unknown_instance.json": Case(
        invoke=lambda c: c.delete("no-such-instance"),
        error=EvolutionNotFound,
        detail='The "no-such-instance" instance does not exist on the Evolution server.',
        evolution_status=404,
    ),
    "instance_delete_while_connecting.json": Case(
        invoke=lambda c: c.delete("rec-qr"),
        result=ActionResult(status="SUCCESS", message="Instance deleted"),
    ),
    "instance_fetchInstances_all.json": Case(
        invoke=lambda c: c.fetch_instances(),
        check=_fetch_all_check,
    ),
    "instance_fetchInstances_all_empty.json": Case(
        invoke=lambda c: c.fetch_instances(),
        result=[],
    ),
    "instance_fetchInstances_by_instanceName.json": Case(
        invoke=lambda c: c.fetch_instances("rec-hook"),
        result=[REC_HOOK_ROW],
    ),
    "instance_fetchInstances_unknown_instanceName.json": Case(
        invoke=lambda c: c.fetch_instances("no-such-instance"),
        error=EvolutionNotFound,
        detail='Instance "no-such-instance" not found on the Evolution server.',
        evolution_status=404,
    ),
    "instance_logout_byEvents_instance_400_not_connected.json": Case(
        invoke=lambda c: c.logout("rec-hook-byev"),
        error=EvolutionRejected,
        detail='Evolution could not log out instance "rec-hook-byev": '
        'The "rec-hook-byev" instance is not connected',
        evolution_status=400,
    ),
    "instance_logout_success_while_connecting.json": Case(
        invoke=lambda c: c.logout("rec-byev2"),
        result=ActionResult(status="SUCCESS", message="Instance logged out"),
    ),
    "instance_restart_POST_connecting_state.json": Case(
        invoke=lambda c: c.restart("rec-hook"),
        result=ConnectResult(outcome=ConnectOutcome.NO_QR_YET, count=0),
    ),
    "message_sendText_not_connected_close.json": Case(
        invoke=lambda c: c.send_text("rec-token", "5511999999999", "hello"),
        error=EvolutionRejected,
        detail='Evolution could not send a text message through instance "rec-token": '
        "Cannot read properties of undefined (reading 'onWhatsApp')",
        evolution_status=500,
    ),
    "root_get_no_apikey.json": Case(invoke=lambda c: c.root(), result=ROOT),
    "root_get_with_apikey.json": Case(invoke=lambda c: c.root(), result=ROOT),
    "settings_find_after_set.json": Case(
        invoke=lambda c: c.find_settings("rec-basic"),
        result=InstanceSettings(reject_call=True, msg_call="I cannot take calls", wavoip_token=""),
    ),
    "settings_set_valid.json": Case(
        invoke=lambda c: c.set_settings("rec-basic", SETTINGS_SET),
        result=SETTINGS_SET,
    ),
    "webhook_find_after_set.json": Case(
        invoke=lambda c: c.find_webhook("rec-basic"),
        result=HOOK_BASIC,
    ),
    "webhook_find_none_configured.json": Case(
        invoke=lambda c: c.find_webhook("rec-basic"),
        result=None,
    ),
    "webhook_set_invalid_event_name.json": Case(
        # The model refuses unknown events; bypass it to see the server's answer.
        invoke=lambda c: c.set_webhook(
            "rec-basic",
            WebhookConfig.model_construct(
                url="http://127.0.0.1:18090/hook-basic",
                events=["QRCODE_UPDATED", "NOT_AN_EVENT"],
                enabled=True,
                by_events=False,
                base64=False,
                headers=None,
            ),
        ),
        error=EvolutionRejected,
        detail='Evolution could not set the webhook of instance "rec-basic": '
        "webhook.events[1] is not one of enum values: " + ",".join(WEBHOOK_EVENTS),
        evolution_status=400,
        sent_body={
            "webhook": {
                "enabled": True,
                "url": "http://127.0.0.1:18090/hook-basic",
                "byEvents": False,
                "base64": False,
                "events": ["QRCODE_UPDATED", "NOT_AN_EVENT"],
            }
        },
    ),
    "webhook_set_valid.json": Case(
        invoke=lambda c: c.set_webhook(
            "rec-basic",
            WebhookConfig(
                url="http://127.0.0.1:18090/hook-basic",
                headers={"x-a": "1"},
                events=[
                    "QRCODE_UPDATED",
                    "CONNECTION_UPDATE",
                    "LOGOUT_INSTANCE",
                    "REMOVE_INSTANCE",
                    "INSTANCE_DELETE",
                ],
            ),
        ),
        result=HOOK_BASIC,
    ),
}


def recorded_files() -> list[str]:
    return sorted(path.name for path in RECORDED_DIR.glob("*.json"))


def test_every_recording_has_an_expectation() -> None:
    files = set(recorded_files())
    assert files, f"no recordings found in {RECORDED_DIR}"
    missing = sorted(files - CASES.keys())
    stale = sorted(CASES.keys() - files)
    assert not missing, f"recordings without an expected outcome in CASES: {missing}"
    assert not stale, f"CASES for recordings that no longer exist: {stale}"


def _serve(router: respx.MockRouter, recording: dict[str, Any]) -> respx.Route:
    request = recording["request"]
    headers = {
        key: value for key, value in recording["headers"].items() if key.lower() == "content-type"
    }
    return router.route(method=request["method"], path=urlsplit(request["path"]).path).mock(
        return_value=httpx.Response(
            recording["status"], content=json.dumps(recording["body"]).encode(), headers=headers
        )
    )


def _assert_sent_like_recording(sent: httpx.Request, recording: dict[str, Any], case: Case) -> None:
    request = recording["request"]
    assert sent.method == request["method"]
    assert sent.url.raw_path.decode() == request["path"]
    assert sent.headers.get("apikey") == request["headers"].get("apikey")
    expected_body = case.sent_body if case.sent_body is not None else request["body"]
    if expected_body is None:
        assert sent.content == b""
    else:
        assert json.loads(sent.content) == expected_body


@pytest.mark.parametrize("filename", recorded_files())
async def test_recorded_exchange(
    filename: str,
    evolution: respx.MockRouter,
    http: httpx.AsyncClient,
    fake_sleep: FakeSleep,
) -> None:
    recording = load_json(RECORDED_DIR / filename)
    case = CASES[filename]
    route = _serve(evolution, recording)
    # Use the key the recording used (none, the global key, a wrong key, a token).
    client = EvolutionClient(
        http,
        BASE_URL,
        recording["request"]["headers"].get("apikey", ""),
        timeout=15.0,
        connect_timeout=5.0,
        read_retries=2,
        sleep=fake_sleep,
    )

    if case.error is not None:
        with pytest.raises(case.error) as caught:
            await case.invoke(client)
        assert type(caught.value) is case.error
        assert caught.value.detail == case.detail
        assert caught.value.evolution_status == case.evolution_status
        assert caught.value.extra["evolution_status"] == case.evolution_status
    else:
        result = await case.invoke(client)
        if case.check is not None:
            case.check(result)
        else:
            assert result == case.result

    # Recorded answers are all final: nothing is retried.
    assert route.call_count == 1
    assert fake_sleep.delays == []
    _assert_sent_like_recording(route.calls.last.request, recording, case)
