"""the inbox's status index becomes a partial index of failed events; the waiting events'
index in id order

Revision ID: f6b2d8e0a314
Revises: e5a1c7d9f203
Create Date: 2026-12-05 03:40:00.000000+00:00

On PostgreSQL an index on ``webhook_event.status`` keeps an entry for each version of
each row: every event applied left one under ``received`` until the next vacuum. The
applier's queue was planned on that index, so each batch read all of those entries and
their rows (10-17 ms at 40,000 events, and it grows with the table between vacuums), though
a partial index of the waiting events exists. Waiting (``received``), ``deferred`` and
``failed`` events now each have a partial index; failed ones in ``received_at`` order, as
the events page lists them (they may stay for weeks; waiting and deferred events are
recent, and the ``received_at`` index finds them first, as it does the common states).

The waiting events' partial index is now on ``(id, instance_id)`` instead of
``(instance_id, id)``: SQLite took the oldest waiting events in id order from the status
index (its entries end with the row id); without it, it would read the table from its
first event. PostgreSQL uses either order.

Building the new index reads the whole table once (PostgreSQL blocks writes meanwhile).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6b2d8e0a314"
down_revision: str | None = "e5a1c7d9f203"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FAILED = sa.text("status = 'failed'")
RECEIVED = sa.text("status = 'received'")


def _received(columns: list[str]) -> None:
    op.drop_index("ix_webhook_event_received", table_name="webhook_event")
    op.create_index(
        "ix_webhook_event_received",
        "webhook_event",
        columns,
        postgresql_where=RECEIVED,
        sqlite_where=RECEIVED,
    )


def upgrade() -> None:
    op.drop_index("ix_webhook_event_status", table_name="webhook_event")
    op.create_index(
        "ix_webhook_event_failed",
        "webhook_event",
        ["received_at", "id"],
        postgresql_where=FAILED,
        sqlite_where=FAILED,
    )
    _received(["id", "instance_id"])


def downgrade() -> None:
    _received(["instance_id", "id"])
    op.drop_index("ix_webhook_event_failed", table_name="webhook_event")
    op.create_index("ix_webhook_event_status", "webhook_event", ["status"])
