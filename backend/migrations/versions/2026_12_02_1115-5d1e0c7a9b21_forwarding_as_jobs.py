"""forwarding as jobs: a payload for job kinds other than images

Revision ID: 5d1e0c7a9b21
Revises: 5e1a7c0d9b21
Create Date: 2026-12-02 11:15:00+00:00

* ``image_processing_job.payload``: what a job of a kind other than ``invoice`` works on
  (a forward attempt: ``{"delivery_id": …}``). The table is the one durable queue.
* Forward attempts still pending become ``forward`` jobs, due when they were due.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5d1e0c7a9b21"
down_revision: str | None = "5e1a7c0d9b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("image_processing_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", JSON, nullable=True))
    build = (
        "jsonb_build_object('delivery_id', d.id)"
        if op.get_bind().dialect.name == "postgresql"
        else "json_object('delivery_id', d.id)"
    )
    op.execute(
        "INSERT INTO image_processing_job (kind, status, attempts, max_attempts, run_after, "
        "progress, progress_message, instance_id, payload, created_at, updated_at) "
        "SELECT 'forward', 'pending', 0, 3, COALESCE(d.next_retry_at, d.created_at), 0, "
        f"'queued', d.instance_id, {build}, d.created_at, d.created_at "
        "FROM webhook_delivery d WHERE d.status = 'pending'"
    )


def downgrade() -> None:
    op.execute("DELETE FROM image_processing_job WHERE kind = 'forward'")
    with op.batch_alter_table("image_processing_job", schema=None) as batch_op:
        batch_op.drop_column("payload")
