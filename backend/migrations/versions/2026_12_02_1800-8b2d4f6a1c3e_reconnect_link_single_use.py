"""reconnect links: one use (claimed by the first browser) or until connected

Revision ID: 8b2d4f6a1c3e
Revises: b7d2e4f6a8c1
Create Date: 2026-12-02 18:00:00.000000+00:00

A single-use link is claimed by the first browser that starts pairing through it: only a
SHA-256 of the claim that browser received is kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b2d4f6a1c3e"
down_revision: str | None = "b7d2e4f6a8c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reconnect_link", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("single_use", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("claim_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reconnect_link", schema=None) as batch_op:
        batch_op.drop_column("claim_hash")
        batch_op.drop_column("single_use")
