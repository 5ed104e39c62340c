"""soft delete instances

Deleting an instance may keep its row (and so its messages and connection history) with
``deleted_at`` set. The technical name stays unique per server among live instances only,
so the unique constraint becomes a partial unique index.

Revision ID: bc3bd236a679
Revises: af66f46a2a56
Create Date: 2026-11-28 23:17:10.353016+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import evodash.core.db

revision: str = "bc3bd236a679"
down_revision: str | None = "af66f46a2a56"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evolution_instance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deleted_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint(batch_op.f("uq_evolution_instance_server_id_name"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_evolution_instance_deleted_at"), ["deleted_at"], unique=False
        )
        batch_op.create_index(
            "uq_evolution_instance_live_name",
            ["server_id", "name"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )


def downgrade() -> None:
    # The old schema cannot hold deleted instances next to live ones of the same name.
    op.execute(sa.text("DELETE FROM evolution_instance WHERE deleted_at IS NOT NULL"))
    with op.batch_alter_table("evolution_instance", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_evolution_instance_live_name",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_evolution_instance_deleted_at"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_evolution_instance_server_id_name"), ["server_id", "name"]
        )
        batch_op.drop_column("deleted_at")
