"""relay destinations: several forwarding destinations per instance

Revision ID: c3f1a9d2b7e4
Revises: 7b2d4e6f8a10
Create Date: 2026-12-02 14:00:00+00:00

* ``forward_destination``: where an instance relays its events (URL, event filter,
  encrypted secret header, retry policy, enabled), at most ten per instance (checked by
  the API), names unique per instance.
* ``webhook_delivery.destination_id``: the destination of each attempt (SET NULL when
  the destination is removed; the attempt keeps its URL).
* Data: every instance's ``forward_url`` becomes a destination named ``forward_url``
  that takes every event (5 attempts, 5 s base: the previous defaults); the instance's
  existing attempts point at it, so their retries keep working. Then
  ``evolution_instance.forward_url`` is dropped (the API no longer has it).

SQLite drops the column with ``ALTER TABLE … DROP COLUMN`` (3.35+) rather than by
rebuilding ``evolution_instance``: with foreign keys on, dropping the old copy of a
parent table would cascade into its children.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import evodash.core.db

revision: str = "c3f1a9d2b7e4"
down_revision: str | None = "7b2d4e6f8a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "forward_destination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("events", JSON, nullable=False),
        sa.Column("secret_header_name", sa.String(length=64), nullable=True),
        sa.Column("secret_header_value_encrypted", sa.Text(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("retry_base_seconds", sa.Float(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_forward_destination_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forward_destination")),
    )
    with op.batch_alter_table("forward_destination", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forward_destination_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index(
            "uq_forward_destination_instance_name", ["instance_id", "name"], unique=True
        )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_webhook_delivery_destination_id"), ["destination_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_webhook_delivery_destination_id_forward_destination"),
            "forward_destination",
            ["destination_id"],
            ["id"],
            ondelete="SET NULL",
        )

    empty = "'[]'::jsonb" if op.get_bind().dialect.name == "postgresql" else "'[]'"
    op.execute(
        "INSERT INTO forward_destination (instance_id, name, url, events, max_attempts, "
        "retry_base_seconds, enabled, created_at, updated_at) "
        f"SELECT id, 'forward_url', forward_url, {empty}, 5, 5.0, TRUE, updated_at, updated_at "
        "FROM evolution_instance WHERE forward_url IS NOT NULL AND forward_url <> ''"
    )
    op.execute(
        "UPDATE webhook_delivery SET destination_id = (SELECT d.id FROM forward_destination d "
        "WHERE d.instance_id = webhook_delivery.instance_id)"
    )
    op.execute("ALTER TABLE evolution_instance DROP COLUMN forward_url")


def downgrade() -> None:
    op.execute("ALTER TABLE evolution_instance ADD COLUMN forward_url VARCHAR(1000)")
    op.execute(
        "UPDATE evolution_instance SET forward_url = (SELECT d.url FROM forward_destination d "
        "WHERE d.instance_id = evolution_instance.id ORDER BY d.id LIMIT 1)"
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_webhook_delivery_destination_id_forward_destination"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_webhook_delivery_destination_id"))
        batch_op.drop_column("destination_id")
    with op.batch_alter_table("forward_destination", schema=None) as batch_op:
        batch_op.drop_index("uq_forward_destination_instance_name")
        batch_op.drop_index(batch_op.f("ix_forward_destination_instance_id"))
    op.drop_table("forward_destination")
