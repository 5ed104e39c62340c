"""event bodies and raw messages as PostgreSQL json (kept as written), not jsonb

Revision ID: e5a1c7d9f203
Revises: 8b2d4f6a1c3e
Create Date: 2026-12-05 03:10:00.000000+00:00

``webhook_event.body`` and ``whatsapp_message.raw`` are written once per event and read
back whole; no query looks inside them (the privacy search casts the body to text). As
``jsonb`` PostgreSQL parsed each one into a tree at every insert, about half of what the
two INSERTs of every received message cost it. ``json`` only checks the text.

On PostgreSQL each ALTER rewrites its table under an exclusive lock (some seconds per
million rows): run it when the webhook traffic is low. SQLite keeps a JSON document as
text either way: nothing changes there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e5a1c7d9f203"
down_revision: str | None = "8b2d4f6a1c3e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("webhook_event", "body"), ("whatsapp_message", "raw"))


def _retype(kind: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} USING {column}::{kind}")


def upgrade() -> None:
    _retype("json")


def downgrade() -> None:
    _retype("jsonb")
