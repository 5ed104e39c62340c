"""The period and scope every report takes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Query

from evodash.core.db import utcnow
from evodash.core.errors import Unprocessable
from evodash.core.params import Day, Id
from evodash.reports.schemas import ReportQuery
from evodash.teams.deps import ScopeDep

MAX_DAYS = 366
DEFAULT_DAYS = 30
TZ_PATTERN = r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$"
DAY = Annotated[date, Query(description="YYYY-MM-DD")]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Unprocessable(
            f"Unknown time zone {name!r}: use an IANA name such as America/Sao_Paulo.",
            extra={"errors": [{"field": "tz", "message": "unknown time zone"}]},
        ) from exc


def report_query(
    from_: Annotated[
        Day | None, Query(alias="from", description="First day (YYYY-MM-DD); 30 days ago")
    ] = None,
    to: Annotated[Day | None, Query(description="Last day, included (YYYY-MM-DD); today")] = None,
    tz: Annotated[
        str,
        Query(max_length=64, pattern=TZ_PATTERN, description="IANA time zone of the days"),
    ] = "UTC",
    server_id: Annotated[Id | None, Query(description="Only this server's instances")] = None,
    instance_id: Annotated[Id | None, Query(description="Only this instance")] = None,
    *,
    scope: ScopeDep,
) -> ReportQuery:
    zone = _zone(tz)
    last = to if to else utcnow().astimezone(zone).date()
    first = from_ if from_ else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Unprocessable(
            "`from` is after `to`.", extra={"errors": [{"field": "from", "message": "after `to`"}]}
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise Unprocessable(
            f"A report covers at most {MAX_DAYS} days.",
            extra={
                "errors": [{"field": "from", "message": f"at most {MAX_DAYS} days before `to`"}]
            },
        )
    start = datetime.combine(first, time(0), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
    return ReportQuery(
        first_day=first,
        last_day=last,
        tz=tz,
        start=start,
        end=end,
        server_id=server_id,
        instance_id=instance_id,
        instance_ids=scope.instance_ids,
    )


ReportQueryDep = Annotated[ReportQuery, Depends(report_query)]
