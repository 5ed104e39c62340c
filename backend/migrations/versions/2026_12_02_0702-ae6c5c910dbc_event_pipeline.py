"""event pipeline: the instances' webhook clock

Revision ID: ae6c5c910dbc
Revises: a06351b5318f
Create Date: 2026-12-02 07:02:33.887688+00:00

``evolution_instance.webhook_clock`` keeps the newest server clock of the webhooks
applied, per aspect of the instance's state (it replaces a scan of the inbox). Instances
start without one: the first webhook after the upgrade is taken as the newest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "ae6c5c910dbc"
down_revision: str | None = "a06351b5318f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("evolution_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_clock", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evolution_instance", schema=None) as batch_op:
        batch_op.drop_column("webhook_clock")
