"""recovery runs: fetching from Evolution the messages whose webhooks never arrived

Revision ID: 900351113914
Revises: ae6c5c910dbc
Create Date: 2026-12-02 10:56:48.518020+00:00

``recovery_run`` records each pass (trigger, window, found/new, progress, error). A
partial unique index keeps one running pass per instance across processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import evodash.core.db

revision: str = "900351113914"
down_revision: str | None = "ae6c5c910dbc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recovery_run",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("pages_total", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("started_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_recovery_run_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["user.id"],
            name=op.f("fk_recovery_run_requested_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_run")),
    )
    with op.batch_alter_table("recovery_run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recovery_run_instance_id_started_at", ["instance_id", "started_at"], unique=False
        )
        batch_op.create_index(
            "uq_recovery_run_running",
            ["instance_id"],
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("recovery_run", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_recovery_run_running",
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )
        batch_op.drop_index("ix_recovery_run_instance_id_started_at")

    op.drop_table("recovery_run")
