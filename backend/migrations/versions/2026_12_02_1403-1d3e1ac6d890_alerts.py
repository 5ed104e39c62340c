"""alerts: rules, alerts with their history, notification channels and deliveries

Revision ID: 1d3e1ac6d890
Revises: 341f3acfa3b4
Create Date: 2026-12-02 14:03:26.577438+00:00

``alert_rule`` holds admins' changes to the rule defaults; ``alert`` one row per alert
(a partial unique index keeps one pending or firing alert per rule and subject, whichever
process evaluates); ``alert_channel`` the notification channels (the SMTP password
encrypted); ``alert_delivery`` what each channel did with each notice; ``alert_probe``
the zombie rule's last probe of each instance.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import evodash.core.db

revision: str = "1d3e1ac6d890"
down_revision: str | None = "341f3acfa3b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("secret_encrypted", sa.Text(), nullable=True),
        sa.Column("created_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_channel")),
        sa.UniqueConstraint("name", name=op.f("uq_alert_channel_name")),
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("subject_label", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column(
            "facts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("started_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fired_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_checked_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_notified_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notifications", sa.Integer(), nullable=False),
        sa.Column("resolved_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acked_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acked_by", sa.Integer(), nullable=True),
        sa.Column("silenced_until", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acked_by"], ["user.id"], name=op.f("fk_alert_acked_by_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index("ix_alert_started_at", ["started_at"], unique=False)
        batch_op.create_index("ix_alert_state_started_at", ["state", "started_at"], unique=False)
        batch_op.create_index(
            "ix_alert_subject_key_started_at", ["subject_key", "started_at"], unique=False
        )
        batch_op.create_index(
            "uq_alert_active",
            ["rule", "subject_key"],
            unique=True,
            sqlite_where=sa.text("state IN ('pending', 'firing')"),
            postgresql_where=sa.text("state IN ('pending', 'firing')"),
        )

    op.create_table(
        "alert_rule",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["user.id"],
            name=op.f("fk_alert_rule_updated_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_alert_rule")),
    )
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("notice", sa.String(length=16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("ms", sa.Integer(), nullable=False),
        sa.Column("at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert.id"],
            name=op.f("fk_alert_delivery_alert_id_alert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["alert_channel.id"],
            name=op.f("fk_alert_delivery_channel_id_alert_channel"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_delivery")),
    )
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_alert_delivery_alert_id", ["alert_id"], unique=False)

    op.create_table(
        "alert_probe",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("ok_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_alert_probe_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_alert_probe")),
    )


def downgrade() -> None:
    op.drop_table("alert_probe")
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_delivery_alert_id")

    op.drop_table("alert_delivery")
    op.drop_table("alert_rule")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_alert_active",
            sqlite_where=sa.text("state IN ('pending', 'firing')"),
            postgresql_where=sa.text("state IN ('pending', 'firing')"),
        )
        batch_op.drop_index("ix_alert_subject_key_started_at")
        batch_op.drop_index("ix_alert_state_started_at")
        batch_op.drop_index("ix_alert_started_at")

    op.drop_table("alert")
    op.drop_table("alert_channel")
