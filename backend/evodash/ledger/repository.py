from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import EvolutionInstance
from evodash.ledger.models import Invoice
from evodash.ledger.schemas import InvoiceFilters


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, job_id: int, values: dict[str, Any]) -> None:
        """Insert the job's invoice, or refresh its fields (a retried job), keeping
        its status."""
        postgres = self.session.get_bind().dialect.name == "postgresql"
        insert = pg_insert if postgres else sqlite_insert
        stmt = insert(Invoice).values(job_id=job_id, **values)
        fields = {k: stmt.excluded[k] for k in values}
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["job_id"], set_=fields)
        )

    @staticmethod
    def _where(f: InvoiceFilters) -> list[Any]:
        i = Invoice
        where: list[Any] = []
        if f.due_from is not None:
            where.append(i.due_date >= f.due_from)
        if f.due_to is not None:
            where.append(i.due_date <= f.due_to)
        if f.instance_id is not None:
            where.append(i.instance_id == f.instance_id)
        if f.instance_ids is not None:
            where.append(i.instance_id.in_(sorted(f.instance_ids)))
        if f.sender:
            where.append(i.sender_phone.in_(f.sender))
        if f.amount_min is not None:
            where.append(i.amount >= f.amount_min)
        if f.amount_max is not None:
            where.append(i.amount <= f.amount_max)
        if f.status:
            where.append(i.status == f.status)
        return where

    async def page(
        self, f: InvoiceFilters, offset: int, limit: int
    ) -> Sequence[tuple[Invoice, str | None]]:
        stmt = (
            select(Invoice, EvolutionInstance.display_name)
            .outerjoin(EvolutionInstance, EvolutionInstance.id == Invoice.instance_id)
            .where(*self._where(f))
            .order_by(Invoice.due_date.desc().nulls_last(), Invoice.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [(inv, name) for inv, name in (await self.session.execute(stmt)).all()]

    async def totals(self, f: InvoiceFilters) -> tuple[int, Decimal]:
        stmt = select(func.count(), func.coalesce(func.sum(Invoice.amount), 0)).where(
            *self._where(f)
        )
        count, amount = (await self.session.execute(stmt)).one()
        return int(count), Decimal(amount or 0).quantize(Decimal("0.01"))

    async def per_month(self, f: InvoiceFilters) -> list[tuple[str, int, Decimal]]:
        i = Invoice
        if self.session.get_bind().dialect.name == "postgresql":
            month: Any = func.to_char(i.due_date, "YYYY-MM")
        else:
            month = func.substr(i.due_date, 1, 7)
        stmt = (
            select(month, func.count(), func.coalesce(func.sum(i.amount), 0))
            .where(*self._where(f))
            .group_by(month)
            .order_by(month)
        )
        rows = (await self.session.execute(stmt)).all()
        rows = sorted(rows, key=lambda r: (r[0] is None, r[0] or ""))  # no due date: last
        return [(m or "none", int(n), Decimal(a).quantize(Decimal("0.01"))) for m, n, a in rows]

    async def duplicated(
        self, rows: Sequence[Invoice], instance_ids: frozenset[int] | None = None
    ) -> set[int]:
        """The ids among ``rows`` whose boleto line or PIX txid another invoice has (among
        ``instance_ids``' invoices when given: a duplicate outside a caller's scope is not
        theirs to learn of)."""
        lines = {r.typeable_line for r in rows if r.typeable_line}
        txids = {r.pix_txid for r in rows if r.pix_txid}
        if not lines and not txids:
            return set()
        i = Invoice
        stmt = select(i.id, i.typeable_line, i.pix_txid).where(
            or_(i.typeable_line.in_(lines), i.pix_txid.in_(txids))
        )
        if instance_ids is not None:
            stmt = stmt.where(i.instance_id.in_(sorted(instance_ids)))
        seen = (await self.session.execute(stmt)).all()
        line_count: dict[str, int] = {}
        txid_count: dict[str, int] = {}
        for _, line, txid in seen:
            if line in lines:
                line_count[line] = line_count.get(line, 0) + 1
            if txid in txids:
                txid_count[txid] = txid_count.get(txid, 0) + 1
        return {
            r.id
            for r in rows
            if line_count.get(r.typeable_line or "", 0) > 1
            or txid_count.get(r.pix_txid or "", 0) > 1
        }
