"""event pipeline: webhook clock, sealed webhook secrets, the applier's queue

Revision ID: ae6c5c910dbc
Revises: 16c5d70f4fc0
Create Date: 2026-12-02 07:02:33.887688+00:00

* ``evolution_instance.webhook_clock`` keeps the newest server clock of the webhooks
  applied, per aspect of the instance's state (it replaces a scan of the inbox).
  Instances start without one: the first webhook after the upgrade is taken as the newest.
* ``webhook_secret_digest`` / ``webhook_secret_encrypted``: the webhook secret is no longer
  stored in clear. The old ``webhook_secret`` column becomes nullable; evodash seals what
  it holds at its next start (that needs ``SECRET_KEY``, which migrations do not have).
  Downgrading keeps it nullable: sealed instances then need "Apply webhook".
* Partial indexes on the inbox's waiting (``received``) and ``deferred`` events.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "ae6c5c910dbc"
down_revision: str | None = "16c5d70f4fc0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WAITING = ("received", "deferred")


def upgrade() -> None:
    with op.batch_alter_table("evolution_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_clock", JSON, nullable=True))
        batch_op.add_column(sa.Column("webhook_secret_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("webhook_secret_encrypted", sa.Text(), nullable=True))
        batch_op.alter_column("webhook_secret", existing_type=sa.VARCHAR(length=128), nullable=True)

    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        for status in WAITING:
            where = sa.text(f"status = '{status}'")
            batch_op.create_index(
                f"ix_webhook_event_{status}",
                ["instance_id", "id"],
                unique=False,
                sqlite_where=where,
                postgresql_where=where,
            )


def downgrade() -> None:
    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        for status in WAITING:
            where = sa.text(f"status = '{status}'")
            batch_op.drop_index(
                f"ix_webhook_event_{status}", sqlite_where=where, postgresql_where=where
            )

    with op.batch_alter_table("evolution_instance", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret_encrypted")
        batch_op.drop_column("webhook_secret_digest")
        batch_op.drop_column("webhook_clock")
