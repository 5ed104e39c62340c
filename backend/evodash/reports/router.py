from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
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
from evodash.core.params import Id, PageSize
from evodash.core.schemas import error_responses
from evodash.instances.deps import AnyInstanceDep
from evodash.reports import service, uptime
from evodash.reports.deps import ReportQueryDep
from evodash.reports.schemas import (
    FleetUptime,
    HoursReport,
    InstanceUptime,
    InstanceUptimeDetail,
    JobsReport,
    MessagesReport,
    SendersReport,
    UptimeReport,
    UptimeWindowName,
)
from evodash.teams.deps import ScopeDep

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


# --- uptime over rolling windows, under /instances ---------------------------------------

uptime_router = APIRouter(prefix="/instances", tags=["uptime"])
MAX_UPTIME_IDS = 200
UPTIME_DOC = (
    " Windows end now: the last 24 hours, 7 days and 30 days. Uptime is the time `open` "
    "over the time with a known state (before an instance's first event and while its "
    "server is `unreachable` the state is unknown); a disconnect is a change from `open` "
    "to a known down state, and the time to reconnect runs until the next `open`."
)


@uptime_router.get(
    "/uptime",
    response_model=list[InstanceUptime],
    summary="Uptime of some instances",
    description="The figures of each instance asked for (deleted ones included; unknown "
    "ids and instances outside the caller's scope are left out), in id order." + UPTIME_DOC,
    responses=error_responses(401, 422),
)
async def instances_uptime(
    _: CurrentUser,
    session: SessionDep,
    scope: ScopeDep,
    instance_id: Annotated[
        list[Id],
        Query(min_length=1, max_length=MAX_UPTIME_IDS, description="Instance ids (1 to 200)"),
    ],
) -> list[InstanceUptime]:
    return await uptime.instances_uptime_by_id(session, instance_id, scope)


@uptime_router.get(
    "/uptime/fleet",
    response_model=FleetUptime,
    summary="Uptime of the fleet and its worst instances",
    description="Every instance alive in each window, time-weighted (not a mean of "
    "percentages), and the live instances with the lowest uptime over 7 days. Computed at "
    "most once a minute per process (`generated_at`)." + UPTIME_DOC,
    responses=error_responses(401, 422),
)
async def fleet_uptime(
    _: CurrentUser,
    session: SessionDep,
    request: Request,
    scope: ScopeDep,
    worst: Annotated[
        int, Query(ge=1, le=uptime.MAX_WORST, description="How many worst instances")
    ] = 5,
) -> FleetUptime:
    cache = getattr(request.app.state, "fleet_uptime_cache", None)
    if cache is None:
        cache = request.app.state.fleet_uptime_cache = uptime.FleetCache()
    return await cache.get(session, worst, scope)


@uptime_router.get(
    "/{instance_id:int}/uptime",
    response_model=InstanceUptimeDetail,
    summary="An instance's uptime and state timeline",
    description="The three windows' figures and the states of `window` as segments "
    "(deleted instances too: until their deletion)." + UPTIME_DOC,
    responses=error_responses(401, 404, 422),
)
async def instance_uptime(
    _: CurrentUser,
    session: SessionDep,
    instance: AnyInstanceDep,
    window: Annotated[UptimeWindowName, Query(description="The timeline's window")] = "7d",
) -> InstanceUptimeDetail:
    return await uptime.instance_uptime(session, instance, window)
