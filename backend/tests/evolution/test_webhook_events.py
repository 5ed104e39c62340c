"""Reading webhook bodies into typed events: the one place that knows Evolution's fields."""

from __future__ import annotations

from typing import Any

import pytest

from evodash.evolution.messages import resolve_sender
from evodash.evolution.numbers import decode_int64, phone_from_jid
from evodash.evolution.webhooks import (
    ConnectionUpdate,
    InstanceClosed,
    MessageDelete,
    MessageUpdate,
    MessageUpsert,
    QrCodeUpdated,
    Unused,
    parse_event,
)
from tests.fixtures import load_evolution_json


class TestResolveSender:
    def test_lid_chat_resolves_through_remote_jid_alt(self) -> None:
        key = {
            "remoteJid": "182736455463728@lid",
            "remoteJidAlt": "5521998765432@s.whatsapp.net",
            "participant": "",
        }
        assert resolve_sender(key).digits == "5521998765432"

    def test_legacy_sender_pn(self) -> None:
        key = {"remoteJid": "182736455463728@lid", "senderPn": "5521998765432@s.whatsapp.net"}
        assert resolve_sender(key).digits == "5521998765432"

    def test_group_uses_the_participant(self) -> None:
        key = {
            "remoteJid": "120363025987654321@g.us",
            "participant": "182736455463728@lid",
            "participantAlt": "553187654321@s.whatsapp.net",
        }
        assert resolve_sender(key).digits == "553187654321"

    def test_lid_only_is_unknown(self) -> None:
        sender = resolve_sender({"remoteJid": "182736455463728@lid", "participant": ""})
        assert sender.digits is None and sender.jid == "182736455463728@lid"


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (48213, 48213),
            ("48213", 48213),
            (" 48213 ", 48213),
            (48213.0, 48213),
            (48213.5, None),
            (True, None),
            ({"low": 1736950212, "high": 0, "unsigned": True}, 1736950212),
            ({"low": -1, "high": -1, "unsigned": False}, -1),
            ("12a", None),
            (None, None),
        ],
    )
    def test_one_integer_decoder(self, value: object, expected: int | None) -> None:
        assert decode_int64(value) == expected

    def test_phone_jids(self) -> None:
        assert phone_from_jid("5511987654321:12@s.whatsapp.net") == "5511987654321"
        assert phone_from_jid("182736455463728@lid") is None
        assert phone_from_jid(None) is None


class TestEvents:
    def test_text_upsert(self) -> None:
        event = parse_event(load_evolution_json("webhooks/messages-upsert-text.json"))
        assert isinstance(event, MessageUpsert) and event.problem is None
        [message] = event.messages
        assert message.message_type == "text" and message.text
        assert message.sender.digits and not message.from_me
        assert message.timestamp is not None

    def test_receipt_and_delete(self) -> None:
        update = parse_event(load_evolution_json("webhooks/messages-update.json"))
        assert isinstance(update, MessageUpdate)
        assert [(r.message_id, r.status) for r in update.receipts] == [
            ("3EB0C5A8F1D2E3B4A5C6D7", "DELIVERY_ACK")
        ]
        delete = parse_event(load_evolution_json("webhooks/messages-delete.json"))
        assert isinstance(delete, MessageDelete) and delete.message_ids

    def test_connection_open_carries_the_owner(self) -> None:
        event = parse_event(load_evolution_json("webhooks/connection-update-open.json"))
        assert isinstance(event, ConnectionUpdate) and event.state == "open"
        assert event.owner_jid and event.owner_phone and event.at is not None

    def test_unknown_state_is_kept_raw(self) -> None:
        body: dict[str, Any] = {"event": "connection.update", "instance": "x", "data": {}}
        body["data"]["state"] = "sleeping"
        event = parse_event(body)
        assert isinstance(event, ConnectionUpdate)
        assert event.state is None and event.raw_state == "sleeping"

    def test_qr_limit_reached_is_a_problem(self) -> None:
        event = parse_event(load_evolution_json("webhooks/qrcode-updated-limit-reached.json"))
        assert isinstance(event, QrCodeUpdated) and not event.has_code and event.problem

    def test_status_instance(self) -> None:
        event = parse_event(load_evolution_json("webhooks/status-instance.json"))
        assert isinstance(event, InstanceClosed) and event.closed

    def test_not_a_message(self) -> None:
        body = {"event": "messages.upsert", "instance": "x", "data": {"key": {}}}
        event = parse_event(body)
        assert isinstance(event, MessageUpsert)
        assert event.problem == "NotAMessage: the message key has no id"

    def test_events_evodash_does_not_use(self) -> None:
        event = parse_event({"event": "presence.update", "instance": "x", "data": {"a": 1}})
        assert isinstance(event, Unused) and event.name == "presence.update"
