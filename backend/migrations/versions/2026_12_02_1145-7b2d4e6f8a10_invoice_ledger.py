"""invoice ledger (one row per invoice read from an image), filled from past jobs

Revision ID: 7b2d4e6f8a10
Revises: 5d1e0c7a9b21
Create Date: 2026-12-02 11:45:00.000000+00:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "7b2d4e6f8a10"
down_revision: str | None = "5d1e0c7a9b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("sender_phone", sa.String(length=32), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("beneficiary", sa.String(length=200), nullable=True),
        sa.Column("cnpj", sa.String(length=32), nullable=True),
        sa.Column("pix_key", sa.String(length=100), nullable=True),
        sa.Column("pix_txid", sa.String(length=64), nullable=True),
        sa.Column("typeable_line", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_by", sa.String(length=150), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_invoice_instance_id_evolution_instance"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["image_processing_job.id"],
            name=op.f("fk_invoice_job_id_image_processing_job"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["whatsapp_message.id"],
            name=op.f("fk_invoice_message_id_whatsapp_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("job_id", name=op.f("uq_invoice_job_id")),
    )
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        for column in ("due_date", "typeable_line", "pix_txid", "instance_id"):
            batch_op.create_index(f"ix_invoice_{column}", [column], unique=False)
    _backfill()


def _backfill() -> None:
    """The invoices of jobs that succeeded before the ledger existed."""
    from evodash.core.db import UTCDateTime
    from evodash.ledger.extract import fields_from_result

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT j.id, j.message_id, j.instance_id, j.result, j.finished_at, m.sender_phone "
            "FROM image_processing_job AS j LEFT JOIN whatsapp_message AS m ON m.id = j.message_id "
            "WHERE j.kind = 'invoice' AND j.status = 'succeeded'"
        )
    ).all()
    table = sa.table(
        "invoice",
        *(sa.column(c) for c in ("job_id", "message_id", "instance_id", "sender_phone")),
        sa.column("amount", sa.Numeric(14, 2)),
        sa.column("due_date", sa.Date()),
        *(
            sa.column(c)
            for c in ("beneficiary", "cnpj", "pix_key", "pix_txid", "typeable_line", "status")
        ),
        sa.column("created_at", UTCDateTime()),
    )
    values = []
    for job_id, message_id, instance_id, result, finished_at, sender in rows:
        if isinstance(result, str):
            result = json.loads(result)
        fields = fields_from_result(result)
        if fields is None:
            continue
        values.append(
            {
                "job_id": job_id,
                "message_id": message_id,
                "instance_id": instance_id,
                "sender_phone": sender,
                "status": "open",
                "created_at": finished_at or datetime.now(UTC),
                **fields,
            }
        )
    if values:
        op.bulk_insert(table, values)


def downgrade() -> None:
    op.drop_table("invoice")
