"""fleet templates and bulk operations

Revision ID: b7d2e4f6a8c1
Revises: 5a7e9c3d1f20
Create Date: 2026-12-02 17:45:00.000000+00:00

A template's destination secrets are stored encrypted inside its JSON; a bulk item keeps
its instance's id without a foreign key (the result of a delete outlives the row).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import evodash.core.db

revision: str = "b7d2e4f6a8c1"
down_revision: str | None = "5a7e9c3d1f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TS = evodash.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fleet_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("events", JSON, nullable=True),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("allowed_numbers", JSON, nullable=True),
        sa.Column("destinations", JSON, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
            name=op.f("fk_fleet_template_created_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fleet_template")),
        sa.UniqueConstraint("name", name=op.f("uq_fleet_template_name")),
    )
    op.create_table(
        "fleet_template_link",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("applied_version", sa.Integer(), nullable=False),
        sa.Column("applied_at", TS, nullable=False),
        sa.Column("checked_at", TS, nullable=True),
        sa.Column("drift", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_fleet_template_link_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["fleet_template.id"],
            name=op.f("fk_fleet_template_link_template_id_fleet_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_fleet_template_link")),
    )
    with op.batch_alter_table("fleet_template_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fleet_template_link_template_id"), ["template_id"], unique=False
        )
    op.create_table(
        "bulk_operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("options", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
            name=op.f("fk_bulk_operation_created_by_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["fleet_template.id"],
            name=op.f("fk_bulk_operation_template_id_fleet_template"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_operation")),
    )
    with op.batch_alter_table("bulk_operation", schema=None) as batch_op:
        batch_op.create_index("ix_bulk_operation_created_at", ["created_at"], unique=False)
    op.create_table(
        "bulk_item",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("changes", JSON, nullable=True),
        sa.Column("updated_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["bulk_operation.id"],
            name=op.f("fk_bulk_item_operation_id_bulk_operation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operation_id", "instance_id", name=op.f("pk_bulk_item")),
    )
    with op.batch_alter_table("bulk_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bulk_item_instance_id"), ["instance_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bulk_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulk_item_instance_id"))
    op.drop_table("bulk_item")
    with op.batch_alter_table("bulk_operation", schema=None) as batch_op:
        batch_op.drop_index("ix_bulk_operation_created_at")
    op.drop_table("bulk_operation")
    with op.batch_alter_table("fleet_template_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fleet_template_link_template_id"))
    op.drop_table("fleet_template_link")
    op.drop_table("fleet_template")
