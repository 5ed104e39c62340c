"""The inbox's index migration (no index on ``status`` alone; failed events' partial index;
waiting events' index in id order) goes both ways on SQLite and PostgreSQL, keeping the
events stored meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command

from evodash.core.migrate import alembic_config, upgrade
from tests.migration_db import empty_database, indexes_of, run_sql

__all__ = ["empty_database"]  # the fixture, imported

BEFORE = "e5a1c7d9f203"
AFTER = "f6b2d8e0a314"
NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def _events(url: str) -> list[tuple[object, ...]]:
    [rows] = run_sql(url, [("SELECT id, status FROM webhook_event ORDER BY id", {})])
    return rows


def test_the_inbox_indexes_change_both_ways(empty_database: str) -> None:
    url = empty_database
    upgrade(url, BEFORE)
    run_sql(
        url,
        [
            (
                "INSERT INTO webhook_event (id, event, body, status, attempts, received_at) "
                "VALUES (:id, 'messages.upsert', '{}', :status, 1, :now)",
                {"id": n, "status": status, "now": NOW},
            )
            for n, status in enumerate(("received", "processed", "failed", "deferred"), 1)
        ],
    )
    stored = _events(url)
    before = indexes_of(url, "webhook_event")
    assert before["ix_webhook_event_status"] == ["status"]
    assert before["ix_webhook_event_received"] == ["instance_id", "id"]
    assert "ix_webhook_event_failed" not in before

    upgrade(url, AFTER)
    after = indexes_of(url, "webhook_event")
    assert "ix_webhook_event_status" not in after
    assert after["ix_webhook_event_received"] == ["id", "instance_id"]
    assert after["ix_webhook_event_failed"] == ["received_at", "id"]
    assert _events(url) == stored

    command.downgrade(alembic_config(url), BEFORE)
    assert indexes_of(url, "webhook_event") == before
    assert _events(url) == stored
