"""reconnect links: a customer pairs an instance again without an account

Revision ID: 5a7e9c3d1f20
Revises: c4f1a2b3d5e6
Create Date: 2026-12-02 15:20:00.000000+00:00

Only the SHA-256 of each link's token is kept, and an HMAC of its optional PIN.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import evodash.core.db

revision: str = "5a7e9c3d1f20"
down_revision: str | None = "c4f1a2b3d5e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconnect_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("pin_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_reconnect_link_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
            name=op.f("fk_reconnect_link_created_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconnect_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reconnect_link_token_hash")),
    )
    with op.batch_alter_table("reconnect_link", schema=None) as batch_op:
        batch_op.create_index("ix_reconnect_link_instance_id", ["instance_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reconnect_link", schema=None) as batch_op:
        batch_op.drop_index("ix_reconnect_link_instance_id")
    op.drop_table("reconnect_link")
