from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from evodash.core.db import Base, utcnow


class InvoiceStatus(enum.StrEnum):
    open = "open"
    paid = "paid"
    ignored = "ignored"


class Invoice(Base):
    """One invoice read from an image (a succeeded ``invoice`` job): the ledger's row.
    Written when the job succeeds (again on a retry, keeping its status)."""

    __tablename__ = "invoice"
    __table_args__ = (
        Index("ix_invoice_due_date", "due_date"),
        Index("ix_invoice_typeable_line", "typeable_line"),
        Index("ix_invoice_pix_txid", "pix_txid"),
        Index("ix_invoice_instance_id", "instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("image_processing_job.id", ondelete="CASCADE"), unique=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("whatsapp_message.id", ondelete="SET NULL")
    )
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("evolution_instance.id", ondelete="SET NULL")
    )
    sender_phone: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    due_date: Mapped[date | None]
    beneficiary: Mapped[str | None] = mapped_column(String(200))
    cnpj: Mapped[str | None] = mapped_column(String(32))
    pix_key: Mapped[str | None] = mapped_column(String(100))
    pix_txid: Mapped[str | None] = mapped_column(String(64))
    typeable_line: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=InvoiceStatus.open.value)
    status_by: Mapped[str | None] = mapped_column(String(150))
    status_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
