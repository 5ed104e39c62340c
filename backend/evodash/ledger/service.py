"""The invoice ledger: every invoice read from an image, filtered and totalled, with
duplicates flagged and a paid / ignored mark saying who and when."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.csvexport import Separator, csv_response
from evodash.core.db import utcnow
from evodash.core.errors import NotFound
from evodash.jobs.models import ImageProcessingJob
from evodash.ledger.extract import fields_from_result
from evodash.ledger.models import Invoice
from evodash.ledger.repository import InvoiceRepository
from evodash.ledger.schemas import InvoiceFilters, InvoicePage, InvoiceRead, PeriodTotal
from evodash.messages.models import WhatsAppMessage
from evodash.teams.scope import EVERYTHING, Scope
from evodash.users import audit
from evodash.users.models import User

CSV_MAX_ROWS = 50_000


async def record_from_job(session: AsyncSession, job: ImageProcessingJob) -> None:
    """Called when an ``invoice`` job succeeds: its invoice enters the ledger."""
    if job.kind != "invoice":
        return
    values = fields_from_result(job.result)
    if values is None:
        return
    sender = None
    if job.message_id is not None:
        message = await session.get(WhatsAppMessage, job.message_id)
        sender = message.sender_phone if message else None
    await InvoiceRepository(session).upsert(
        job.id,
        {
            **values,
            "message_id": job.message_id,
            "instance_id": job.instance_id,
            "sender_phone": sender,
        },
    )


def _read(invoice: Invoice, name: str | None, duplicate: bool) -> InvoiceRead:
    return InvoiceRead.model_validate(
        {
            **{c.key: getattr(invoice, c.key) for c in Invoice.__table__.columns},
            "instance_name": name,
            "duplicate": duplicate,
            "image_url": f"/api/jobs/{invoice.job_id}/image",
        }
    )


async def list_invoices(
    session: AsyncSession, f: InvoiceFilters, *, page: int, page_size: int
) -> InvoicePage:
    repo = InvoiceRepository(session)
    rows = await repo.page(f, (page - 1) * page_size, page_size)
    dups = await repo.duplicated([inv for inv, _ in rows], f.instance_ids)
    total, amount = await repo.totals(f)
    return InvoicePage(
        items=[_read(inv, name, inv.id in dups) for inv, name in rows],
        total=total,
        page=page,
        page_size=page_size,
        amount_total=amount,
        per_month=[PeriodTotal(month=m, count=n, amount=a) for m, n, a in await repo.per_month(f)],
    )


async def invoices_csv(session: AsyncSession, f: InvoiceFilters, sep: Separator) -> Response:
    repo = InvoiceRepository(session)
    rows = await repo.page(f, 0, CSV_MAX_ROWS)
    dups = await repo.duplicated([inv for inv, _ in rows], f.instance_ids)
    header = [
        "id",
        "due_date",
        "amount",
        "beneficiary",
        "cnpj",
        "pix_key",
        "pix_txid",
        "typeable_line",
        "sender_phone",
        "instance",
        "message_id",
        "status",
        "status_by",
        "status_at",
        "duplicate",
    ]
    body = [
        (
            inv.id,
            inv.due_date,
            inv.amount,
            inv.beneficiary,
            inv.cnpj,
            inv.pix_key,
            inv.pix_txid,
            inv.typeable_line,
            inv.sender_phone,
            name,
            inv.message_id,
            inv.status,
            inv.status_by,
            inv.status_at,
            inv.id in dups,
        )
        for inv, name in rows
    ]
    return csv_response(f"evodash-invoices-{utcnow():%Y%m%d}.csv", header, body, sep)


async def set_status(
    session: AsyncSession,
    invoice_id: int,
    status: str,
    *,
    actor: User,
    ip: str | None,
    scope: Scope = EVERYTHING,
) -> InvoiceRead:
    invoice = await session.get(Invoice, invoice_id)
    visible = invoice is not None and (
        scope.unlimited
        or (invoice.instance_id is not None and scope.sees_instance(invoice.instance_id))
    )
    if invoice is None or not visible:
        raise NotFound("No invoice with this id.")
    previous = invoice.status
    invoice.status = status
    invoice.status_by = actor.username if status != "open" else None
    invoice.status_at = utcnow() if status != "open" else None
    await session.flush()
    audit.record(
        session,
        actor,
        f"invoice.{status}",
        object_type="invoice",
        object_id=invoice.id,
        detail={"from": previous},
        ip=ip,
    )
    repo = InvoiceRepository(session)
    dups = await repo.duplicated([invoice], scope.instance_ids)
    return _read(invoice, None, invoice.id in dups)
