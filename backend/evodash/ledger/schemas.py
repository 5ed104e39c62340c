from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from evodash.core.schemas import Schema


@dataclass(frozen=True)
class InvoiceFilters:
    due_from: date | None = None
    due_to: date | None = None
    instance_id: int | None = None
    sender: list[str] | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    status: str | None = None
    #: The caller's scope: only these instances' invoices (``None``: every one).
    instance_ids: frozenset[int] | None = None


class InvoiceRead(Schema):
    id: int
    job_id: int
    message_id: int | None = Field(description="The WhatsApp message the image came in")
    instance_id: int | None
    instance_name: str | None = None
    sender_phone: str | None
    amount: Decimal | None
    due_date: date | None
    beneficiary: str | None
    cnpj: str | None
    pix_key: str | None
    pix_txid: str | None
    typeable_line: str | None = Field(description="The boleto's typeable line")
    status: Literal["open", "paid", "ignored"]
    status_by: str | None = Field(description="Who marked it paid or ignored")
    status_at: datetime | None
    created_at: datetime
    duplicate: bool = Field(
        default=False,
        description="The same boleto line or PIX transaction id is in another invoice",
    )
    image_url: str = Field(description="The image (the job's media)")


class PeriodTotal(BaseModel):
    month: str = Field(description="Due month, YYYY-MM (`none` without a due date)")
    count: int
    amount: Decimal


class InvoicePage(BaseModel):
    items: list[InvoiceRead]
    total: int
    page: int
    page_size: int
    amount_total: Decimal = Field(description="Sum of the amounts of every matching invoice")
    per_month: list[PeriodTotal] = Field(description="Totals per due month, oldest first")


class InvoiceStatusUpdate(BaseModel):
    status: Literal["open", "paid", "ignored"]
