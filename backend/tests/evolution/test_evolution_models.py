"""Wire models: tolerant parsing, request serialization, safe reprs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from evodash.evolution import (
    RECOMMENDED_WEBHOOK_EVENTS,
    WEBHOOK_EVENTS,
    InstanceInfo,
    InstanceSettings,
    MediaBase64,
    WebhookConfig,
    WebhookInfo,
)
from tests.evolution.conftest import RECORDED_DIR, REQUESTS_DIR, RESPONSES_DIR, load_json


@pytest.mark.parametrize(
    ("wire", "value"),
    [
        ({"low": 48213, "high": 0, "unsigned": True}, 48213),
        ({"low": 0, "high": 1, "unsigned": True}, 2**32),
        ({"low": -1, "high": -1, "unsigned": False}, -1),
        ({"low": -1, "high": -1, "unsigned": True}, 2**64 - 1),
        (48213, 48213),
        ("48213", 48213),
        (48213.0, 48213),
        (1.5, None),
        ("not a number", None),
        ({"0": 12, "1": 250}, None),
        (True, None),
        (None, None),
    ],
)
def test_int64_fields_accept_every_encoding(wire: object, value: int | None) -> None:
    media = MediaBase64.model_validate(
        {
            "mediaType": "imageMessage",
            "mimetype": "image/jpeg",
            "base64": "AA==",
            "size": {"fileLength": wire},
        }
    )
    assert media.size is not None
    assert media.size.file_length == value


def test_webhook_events_match_the_servers_enum() -> None:
    recording = load_json(RECORDED_DIR / "webhook_set_invalid_event_name.json")
    (message,) = recording["body"]["response"]["message"][0]
    assert tuple(message.split("enum values: ")[1].split(",")) == WEBHOOK_EVENTS
    assert set(RECOMMENDED_WEBHOOK_EVENTS) <= set(WEBHOOK_EVENTS)


class TestWebhookConfig:
    def test_unknown_events_are_refused(self) -> None:
        with pytest.raises(ValidationError, match=r"unknown webhook events: qrcode\.updated"):
            WebhookConfig(url="https://x.example/hook", events=["qrcode.updated"])

    @pytest.mark.parametrize("url", ["", "not a url", "HTTPS://x.example", "ftp://x.example"])
    def test_urls_evolution_never_delivers_to_are_refused(self, url: str) -> None:
        with pytest.raises(ValidationError, match="must start with http:// or https://"):
            WebhookConfig(url=url, events=[])

    def test_serializes_to_the_request_example(self) -> None:
        example = load_json(REQUESTS_DIR / "webhook-set.json")["webhook"]
        config = WebhookConfig.model_validate(example)
        assert config.by_events is False
        assert config.base64 is True
        assert config.model_dump(by_alias=True, exclude_none=True) == example


def test_settings_serialize_to_the_request_example() -> None:
    example = load_json(REQUESTS_DIR / "settings-set.json")
    settings = InstanceSettings.model_validate(example)
    assert settings.reject_call is True
    assert settings.model_dump(by_alias=True, exclude_none=True) == example


def test_settings_accept_null_strings() -> None:
    settings = InstanceSettings.model_validate(
        {"rejectCall": True, "msgCall": None, "wavoipToken": None}
    )
    assert settings == InstanceSettings(reject_call=True)


def test_webhook_row_with_null_headers_and_events() -> None:
    row = WebhookInfo.model_validate(
        {"url": "https://x.example", "enabled": False, "events": None, "headers": None}
    )
    assert row.events == []
    assert row.headers is None


def test_instance_row_tolerates_an_object_disconnection_and_unknown_keys() -> None:
    row = load_json(RESPONSES_DIR / "fetch-instances.json")[1]
    row["disconnectionObject"] = {"error": {"output": {"statusCode": 401}}}
    row["somethingNew"] = [1, 2, 3]
    info = InstanceInfo.model_validate(row)
    assert info.disconnection_object == '{"error": {"output": {"statusCode": 401}}}'
    assert info.name == "beta-sales"


def test_reprs_hide_tokens_and_payloads() -> None:
    row = load_json(RESPONSES_DIR / "fetch-instances.json")[0]
    media = load_json(RESPONSES_DIR / "get-base64-from-media-message.json")
    assert row["token"] not in repr(InstanceInfo.model_validate(row))
    assert media["base64"] not in repr(MediaBase64.model_validate(media))
    assert "secret" not in repr(InstanceSettings(wavoip_token="secret"))
