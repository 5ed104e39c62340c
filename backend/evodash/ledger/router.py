from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from evodash.auth.deps import CurrentUser, OperatorUser
from evodash.core.csvexport import (
    CSV_RESPONSE,
    FormatParam,
    OutputFormat,
    Separator,
    SeparatorParam,
)
from evodash.core.deps import ClientIP, SessionDep, SettingsDep
from evodash.core.pagination import PageParams, page_params
from evodash.core.params import Day, Id
from evodash.core.schemas import error_responses
from evodash.ledger import service
from evodash.ledger.schemas import InvoiceFilters, InvoicePage, InvoiceRead, InvoiceStatusUpdate
from evodash.messages.service import _sender_values
from evodash.teams.deps import ScopeDep

router = APIRouter(prefix="/invoices", tags=["invoices"])
Amount = Annotated[float, Query(ge=0, le=999_999_999_999.99, allow_inf_nan=False)]


def invoice_filters(
    settings: SettingsDep,
    due_from: Annotated[Day | None, Query(description="Due on or after (YYYY-MM-DD)")] = None,
    due_to: Annotated[Day | None, Query(description="Due on or before (YYYY-MM-DD)")] = None,
    instance_id: Annotated[Id | None, Query(description="Only this instance")] = None,
    sender: Annotated[str | None, Query(max_length=64, description="Sender, any format")] = None,
    amount_min: Amount | None = None,
    amount_max: Amount | None = None,
    status: Annotated[str | None, Query(pattern="^(open|paid|ignored)$")] = None,
    *,
    scope: ScopeDep,
) -> InvoiceFilters:
    return InvoiceFilters(
        instance_ids=scope.instance_ids,
        due_from=due_from,
        due_to=due_to,
        instance_id=instance_id,
        sender=_sender_values(sender, settings.default_phone_region) or None,
        amount_min=None if amount_min is None else Decimal(str(amount_min)),
        amount_max=None if amount_max is None else Decimal(str(amount_max)),
        status=status,
    )


@router.get(
    "",
    response_model=InvoicePage,
    summary="The invoice ledger",
    description="Every invoice read from an image, newest due date first, with totals "
    "(overall and per due month) for the filters, and duplicates flagged (the same boleto "
    "line or PIX transaction id in another invoice). `format=csv` downloads every "
    "matching invoice (amounts as numbers; `sep=;` for Excel in pt-BR).",
    responses={**CSV_RESPONSE, **error_responses(401, 422)},
)
async def list_invoices(
    _: CurrentUser,
    session: SessionDep,
    filters: Annotated[InvoiceFilters, Depends(invoice_filters)],
    paging: Annotated[PageParams, Depends(page_params)],
    format: FormatParam = OutputFormat.json,
    sep: SeparatorParam = Separator.comma,
) -> InvoicePage | Response:
    if format is OutputFormat.csv:
        return await service.invoices_csv(session, filters, sep)
    return await service.list_invoices(
        session, filters, page=paging.page, page_size=paging.page_size
    )


@router.patch(
    "/{invoice_id}",
    response_model=InvoiceRead,
    summary="Mark an invoice paid, ignored, or open again",
    description="Records who and when (and in the audit log).",
    responses=error_responses(401, 403, 404, 422),
)
async def set_invoice_status(
    invoice_id: Id,
    body: InvoiceStatusUpdate,
    actor: OperatorUser,
    session: SessionDep,
    ip: ClientIP,
    scope: ScopeDep,
) -> InvoiceRead:
    return await service.set_status(
        session, invoice_id, body.status, actor=actor, ip=ip, scope=scope
    )
