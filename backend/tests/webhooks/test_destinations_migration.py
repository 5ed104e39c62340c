"""The relay destinations migration moves every ``forward_url`` into a destination (and
the instance's attempts with it), on SQLite and on PostgreSQL, and back on downgrade."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command

from evodash.core.migrate import alembic_config, upgrade
from tests.migration_db import columns_of, empty_database, run_sql, server_row

__all__ = ["empty_database"]  # the fixture, imported

BEFORE = "7b2d4e6f8a10"
AFTER = "c3f1a9d2b7e4"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
HOOK = "https://n8n.example.com/webhook/abc?token=1"


def test_forward_urls_become_destinations_and_come_back(empty_database: str) -> None:
    url = empty_database
    upgrade(url, BEFORE)
    run_sql(
        url,
        [
            server_row(NOW),
            *[
                (
                    "INSERT INTO evolution_instance (id, server_id, display_name, name, status, "
                    "webhook_events, allowed_numbers, reply_with_summary, forward_url, "
                    "created_at, updated_at) VALUES (:id, 1, :name, :name, 'open', '[]', '[]', "
                    "FALSE, :fwd, :now, :now)",
                    {"id": i, "name": f"inst-{i}", "fwd": fwd, "now": NOW},
                )
                for i, fwd in ((1, HOOK), (2, None), (3, ""))
            ],
            (
                "INSERT INTO webhook_event (id, instance_id, event, body, status, attempts, "
                "received_at) VALUES (1, 1, 'messages.upsert', '{}', 'processed', 1, :now)",
                {"now": NOW},
            ),
            (
                "INSERT INTO webhook_delivery (id, event_id, instance_id, url, attempt, "
                "status, created_at) VALUES (1, 1, 1, :url, 1, 'failed', :now)",
                {"url": HOOK, "now": NOW},
            ),
        ],
    )

    upgrade(url, AFTER)
    destinations, deliveries = run_sql(
        url,
        [
            (
                "SELECT id, instance_id, name, url, max_attempts, retry_base_seconds, enabled "
                "FROM forward_destination ORDER BY id",
                {},
            ),
            ("SELECT id, destination_id FROM webhook_delivery", {}),
        ],
    )
    [(dest_id, instance_id, name, dest_url, attempts, base, enabled)] = destinations
    assert (instance_id, name, dest_url, attempts, base, bool(enabled)) == (
        1,
        "forward_url",
        HOOK,
        5,
        5.0,
        True,
    )
    assert deliveries == [(1, dest_id)]  # its retries go to the destination
    assert "forward_url" not in columns_of(url, "evolution_instance")
    [[(events,)]] = run_sql(url, [("SELECT events FROM forward_destination", {})])
    assert events in ([], "[]")  # every event, as before

    command.downgrade(alembic_config(url), BEFORE)
    [rows] = run_sql(url, [("SELECT id, forward_url FROM evolution_instance ORDER BY id", {})])
    assert rows == [(1, HOOK), (2, None), (3, None)]
    assert "destination_id" not in columns_of(url, "webhook_delivery")
    upgrade(url, "head")  # and forward again
