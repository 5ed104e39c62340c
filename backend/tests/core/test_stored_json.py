"""Event bodies and raw messages are stored as PostgreSQL ``json`` (kept as written), and
the migration that makes them so keeps every stored document, both ways."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command

from evodash.core.migrate import alembic_config, upgrade
from tests.migration_db import empty_database, run_sql, server_row

__all__ = ["empty_database"]  # the fixture, imported

BEFORE = "8b2d4f6a1c3e"
AFTER = "e5a1c7d9f203"
NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
# Keys out of jsonb's order (shorter keys first), nesting, text PostgreSQL must escape.
BODY = {
    "event": "messages.upsert",
    "instance": "loja-centro",
    "data": {
        "key": {"remoteJid": "5511988887777@s.whatsapp.net", "id": "3EB0A1"},
        "message": {"conversation": 'Olá, "boleto" em anexo \\ 😀'},
        "pushName": "Zé",
        "messageTimestamp": 1764900000,
    },
}
RAW = {"zeta": [1, 2.5, None, True], "alpha": {"nested": {"deep": "ção"}}, "id": "3EB0A1"}
TYPES = (
    "SELECT table_name, data_type FROM information_schema.columns WHERE "
    "(table_name, column_name) IN (('webhook_event', 'body'), ('whatsapp_message', 'raw')) "
    "ORDER BY table_name"
)


def _seed(url: str) -> None:
    run_sql(
        url,
        [
            server_row(NOW),
            (
                "INSERT INTO evolution_instance (id, server_id, display_name, name, status, "
                "webhook_events, allowed_numbers, reply_with_summary, created_at, updated_at) "
                "VALUES (1, 1, 'Loja', 'loja-centro', 'open', '[]', '[]', FALSE, :now, :now)",
                {"now": NOW},
            ),
            (
                "INSERT INTO webhook_event (id, instance_id, event, body, status, attempts, "
                "received_at) VALUES (1, 1, 'messages.upsert', :body, 'processed', 1, :now)",
                {"body": json.dumps(BODY, ensure_ascii=False), "now": NOW},
            ),
            (
                "INSERT INTO whatsapp_message (instance_id, message_id, remote_jid, direction, "
                "from_me, is_group, message_type, text, wa_timestamp, is_allowed, raw, "
                "created_at, updated_at) VALUES (1, '3EB0A1', '5511988887777@s.whatsapp.net', "
                "'in', FALSE, FALSE, 'conversation', 'Olá', :now, TRUE, :raw, :now, :now)",
                {"raw": json.dumps(RAW, ensure_ascii=False), "now": NOW},
            ),
        ],
    )


def _documents(url: str) -> tuple[object, object]:
    [[(body,)], [(raw,)]] = run_sql(
        url,
        [
            ("SELECT CAST(body AS TEXT) FROM webhook_event", {}),
            ("SELECT CAST(raw AS TEXT) FROM whatsapp_message", {}),
        ],
    )
    return json.loads(body), json.loads(raw)


def test_the_migration_keeps_every_document_both_ways(empty_database: str) -> None:
    url = empty_database
    postgres = url.startswith("postgresql")
    upgrade(url, BEFORE)
    _seed(url)
    if postgres:
        assert run_sql(url, [(TYPES, {})]) == [
            [("webhook_event", "jsonb"), ("whatsapp_message", "jsonb")]
        ]

    upgrade(url, AFTER)
    assert _documents(url) == (BODY, RAW)
    if postgres:
        assert run_sql(url, [(TYPES, {})]) == [
            [("webhook_event", "json"), ("whatsapp_message", "json")]
        ]
        # Written now, a document is kept as written: its keys in their order.
        text = '{"zeta":1,"alpha":{"b":2,"a":1}}'
        [_, [(kept,)]] = run_sql(
            url,
            [
                ("UPDATE whatsapp_message SET raw = CAST(:raw AS json)", {"raw": text}),
                ("SELECT CAST(raw AS TEXT) FROM whatsapp_message", {}),
            ],
        )
        assert kept == text
        run_sql(url, [("UPDATE whatsapp_message SET raw = :raw", {"raw": json.dumps(RAW)})])

    command.downgrade(alembic_config(url), BEFORE)
    assert _documents(url) == (BODY, RAW)
    if postgres:
        assert run_sql(url, [(TYPES, {})]) == [
            [("webhook_event", "jsonb"), ("whatsapp_message", "jsonb")]
        ]
