from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response

from evodash.auth.deps import CurrentUser
from evodash.core.csvexport import (
    CSV_RESPONSE,
    FormatParam,
    OutputFormat,
    Separator,
    SeparatorParam,
)
from evodash.core.deps import SessionDep
from evodash.core.params import PageSize
from evodash.core.schemas import error_responses
from evodash.reports import service
from evodash.reports.deps import ReportQueryDep
from evodash.reports.schemas import (
    HoursReport,
    JobsReport,
    MessagesReport,
    SendersReport,
    UptimeReport,
)

router = APIRouter(prefix="/reports", tags=["reports"])

PERIOD_DOC = (
    " Whole days in `tz` from `from` to `to` (both included, at most 366 days; the last 30 "
    "days by default), optionally one server's or one instance's. `format=csv` downloads "
    "the rows as CSV (UTF-8 with BOM; `sep=;` for Excel in pt-BR)."
)
RESPONSES = {**CSV_RESPONSE, **error_responses(401, 422)}


def _json(report: dict[str, Any]) -> Response:
    """The report (plain dicts shaped as its schema) as JSON in one orjson call: a year of
    days per instance is thousands of rows, and validating each (on the way in and again
    on the way out) cost more than the query."""
    return Response(orjson.dumps(report), media_type="application/json")


@router.get(
    "/messages",
    response_model=MessagesReport,
    summary="Messages per day and instance",
    description="Received, sent and blocked messages." + PERIOD_DOC,
    responses=RESPONSES,
)
async def messages_report(
    _: CurrentUser,
    session: SessionDep,
    query: ReportQueryDep,
    format: FormatParam = OutputFormat.json,
    sep: SeparatorParam = Separator.comma,
) -> Response:
    report = await service.messages(session, query)
    if format is OutputFormat.csv:
        return service.messages_csv(report, query, sep)
    return _json(report)


@router.get(
    "/uptime",
    response_model=UptimeReport,
    summary="Connection uptime per day and instance",
    description="Time connected to WhatsApp over the time with a known state." + PERIOD_DOC,
    responses=RESPONSES,
)
async def uptime_report(
    _: CurrentUser,
    session: SessionDep,
    query: ReportQueryDep,
    format: FormatParam = OutputFormat.json,
    sep: SeparatorParam = Separator.comma,
) -> Response:
    report = await service.uptime(session, query)
    if format is OutputFormat.csv:
        return service.uptime_csv(report, query, sep)
    return _json(report)


@router.get(
    "/jobs",
    response_model=JobsReport,
    summary="Image jobs per day",
    description="Jobs created per day, success rate and mean duration." + PERIOD_DOC,
    responses=RESPONSES,
)
async def jobs_report(
    _: CurrentUser,
    session: SessionDep,
    query: ReportQueryDep,
    format: FormatParam = OutputFormat.json,
    sep: SeparatorParam = Separator.comma,
) -> Response:
    report = await service.jobs(session, query)
    if format is OutputFormat.csv:
        return service.jobs_csv(report, query, sep)
    return _json(report)


@router.get(
    "/hours",
    response_model=HoursReport,
    summary="Busiest hours of the day",
    description="Messages per hour of the day over the period." + PERIOD_DOC,
    responses=RESPONSES,
)
async def hours_report(
    _: CurrentUser,
    session: SessionDep,
    query: ReportQueryDep,
    format: FormatParam = OutputFormat.json,
    sep: SeparatorParam = Separator.comma,
) -> Response:
    report = await service.hours(session, query)
    if format is OutputFormat.csv:
        return service.hours_csv(report, query, sep)
    return _json(report)


@router.get(
    "/senders",
    response_model=SendersReport,
    summary="Top senders",
    description="The senders of the most incoming messages (their days are UTC days)." + PERIOD_DOC,
    responses=RESPONSES,
)
async def senders_report(
    _: CurrentUser,
    session: SessionDep,
    query: ReportQueryDep,
    limit: Annotated[PageSize, Query(description="How many senders")] = 10,
    format: FormatParam = OutputFormat.json,
    sep: SeparatorParam = Separator.comma,
) -> Response:
    report = await service.senders(session, query, limit)
    if format is OutputFormat.csv:
        return service.senders_csv(report, query, sep)
    return _json(report)
