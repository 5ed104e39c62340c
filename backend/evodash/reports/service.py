"""Reports: the rows of each report, and the same rows as CSV."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.csvexport import Separator, csv_response
from evodash.core.db import utcnow
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.reports.repository import ReportsRepository, UptimeCache
from evodash.reports.schemas import ReportQuery
from evodash.reports.uptime import UNOBSERVED, segments

#: The most rows a per-day-and-instance report answers (366 days of 136 instances): beyond
#: it the rows stop at a whole day and ``truncated`` says so (narrow the period or scope).
MAX_ROWS = 50_000

Row = dict[str, Any]


def _period(q: ReportQuery) -> Row:
    return {"from": q.first_day, "to": q.last_day, "tz": q.tz}


def _bounded(rows: list[Row]) -> tuple[list[Row], bool]:
    """At most MAX_ROWS rows, cut before the first day that does not fit whole."""
    if len(rows) <= MAX_ROWS:
        return rows, False
    last_day = rows[MAX_ROWS]["day"]
    return [r for r in rows[:MAX_ROWS] if r["day"] != last_day], True


# Reports are plain dicts (the schemas in ``schemas.py`` document them): a year of days per
# instance is thousands of rows, and a pydantic model per row cost more than the query.


async def messages(session: AsyncSession, q: ReportQuery) -> Row:
    repo = ReportsRepository(session, q)
    found = await repo.messages_per_day()
    names = await repo.instance_names({r[1] for r in found})
    rows, truncated = _bounded(
        [
            {
                "day": day,
                "instance_id": instance_id,
                "instance_name": names.get(instance_id, ""),
                "received": received,
                "sent": sent,
                "blocked": blocked,
            }
            for day, instance_id, received, sent, blocked in found
        ]
    )
    totals = {
        "received": sum(r[2] for r in found),
        "sent": sum(r[3] for r in found),
        "blocked": sum(r[4] for r in found),
    }
    return {**_period(q), "rows": rows, "totals": totals, "truncated": truncated}


async def hours(session: AsyncSession, q: ReportQuery) -> Row:
    counts = await ReportsRepository(session, q).messages_per_hour_of_day()
    rows = [
        {"hour": h, "received": counts.get(h, (0, 0))[0], "sent": counts.get(h, (0, 0))[1]}
        for h in range(24)
    ]
    return {**_period(q), "rows": rows}


async def senders(session: AsyncSession, q: ReportQuery, limit: int) -> Row:
    found = await ReportsRepository(session, q).top_senders(limit)
    return {**_period(q), "rows": [{"sender_phone": p, "messages": n} for p, n in found]}


async def jobs(session: AsyncSession, q: ReportQuery) -> Row:
    rows = []
    for day, total, ok, failed, cancelled, mean_ms in await ReportsRepository(
        session, q
    ).jobs_per_day():
        finished = ok + failed
        rows.append(
            {
                "day": day,
                "total": total,
                "succeeded": ok,
                "failed": failed,
                "cancelled": cancelled,
                "success_rate": round(100 * ok / finished, 2) if finished else None,
                "mean_duration_ms": None if mean_ms is None else round(mean_ms, 1),
            }
        )
    return {**_period(q), "rows": rows}


def _day_starts(q: ReportQuery) -> list[datetime]:
    """The UTC instants where each local day of the period starts, and the end."""
    zone = ZoneInfo(q.tz)
    days = (q.last_day - q.first_day).days + 1
    return [
        datetime.combine(q.first_day + timedelta(days=n), time(0), zone).astimezone(UTC)
        for n in range(days + 1)
    ]


def _split(start: datetime, end: datetime, bounds: Sequence[datetime]) -> list[tuple[int, float]]:
    """``(day index, seconds)`` of [start, end) cut at the day bounds."""
    out = []
    n = max(0, bisect_right(bounds, start) - 1)
    while n < len(bounds) - 1 and bounds[n] < end:
        lo, hi = max(start, bounds[n]), min(end, bounds[n + 1])
        if hi > lo:
            out.append((n, (hi - lo).total_seconds()))
        n += 1
    return out


async def _uptime_in_python(
    repo: ReportsRepository,
    instances: Sequence[EvolutionInstance],
    bounds: list[datetime],
    q: ReportQuery,
    now: datetime,
) -> dict[tuple[int, date], tuple[float, float]]:
    """SQLite: the same figures as :meth:`ReportsRepository.uptime_seconds`, from the
    timelines the rolling uptime uses (:func:`evodash.reports.uptime.segments`)."""
    ids = [i.id for i in instances]
    before = await repo.states_before(ids)
    events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for instance_id, event_state, at in await repo.events_during(ids):
        events[instance_id].append((event_state, at))
    out: dict[tuple[int, date], tuple[float, float]] = {}
    for instance in instances:
        stop = min(q.end, now, instance.deleted_at or q.end)
        opened = [0.0] * (len(bounds) - 1)
        observed = [0.0] * (len(bounds) - 1)
        for seg in segments(before.get(instance.id), events[instance.id], q.start, stop):
            if seg.state in UNOBSERVED:
                continue
            for n, seconds in _split(seg.start, seg.end, bounds):
                observed[n] += seconds
                if seg.state == InstanceStatus.open.value:
                    opened[n] += seconds
        for n, seconds in enumerate(observed):
            if seconds:
                out[(instance.id, q.first_day + timedelta(days=n))] = (opened[n], seconds)
    return out


#: A day's uptime is kept once it has been over this long (late connection events).
UPTIME_SETTLED = timedelta(hours=1)
Seconds = dict[tuple[int, date], tuple[float, float]]


def _span(q: ReportQuery, first: date, last: date, *, scoped: bool) -> ReportQuery:
    zone = ZoneInfo(q.tz)
    return replace(
        q,
        first_day=first,
        last_day=last,
        start=datetime.combine(first, time(0), zone).astimezone(UTC),
        end=datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC),
        server_id=q.server_id if scoped else None,
        instance_id=q.instance_id if scoped else None,
        # The cache keeps every instance's days: computed unscoped, read for the caller's.
        instance_ids=q.instance_ids if scoped else None,
    )


async def _compute_uptime(session: AsyncSession, q: ReportQuery, now: datetime) -> Seconds:
    repo = ReportsRepository(session, q)
    instances = await repo.instances_alive()
    if repo.postgres:
        return await repo.uptime_seconds([i.id for i in instances], now)
    return await _uptime_in_python(repo, instances, _day_starts(q), q, now)


async def _settled_uptime(
    session: AsyncSession, q: ReportQuery, days: list[date], ids: list[int], now: datetime
) -> Seconds:
    """The uptime of finished days: computed once for every instance, then read."""
    cache = UptimeCache(session, q.tz)
    done = await cache.marked_days(days[0], days[-1])
    missing = [d for d in days if d not in done]
    if missing:
        computed = await _compute_uptime(
            session, _span(q, missing[0], missing[-1], scoped=False), now
        )
        await cache.store(set(missing), computed)
    return await cache.read(days[0], days[-1], ids)


async def uptime(session: AsyncSession, q: ReportQuery) -> Row:
    """Per day and instance: the time in state ``open`` over the time with a known state.
    The state before the first event of the period is the instance's last event before
    it; an instance with no event before is unobserved until its first one, and so is an
    instance while its server is ``unreachable``."""
    instances = await ReportsRepository(session, q).instances_alive()
    bounds = _day_starts(q)
    now = utcnow()
    days = [q.first_day + timedelta(days=n) for n in range(len(bounds) - 1)]
    settled = [d for n, d in enumerate(days) if bounds[n + 1] <= now - UPTIME_SETTLED]
    seconds: Seconds = {}
    if settled:
        ids = [i.id for i in instances]
        seconds |= await _settled_uptime(session, q, settled, ids, now)
    if len(settled) < len(days):
        recent = _span(q, days[len(settled)], days[-1], scoped=True)
        seconds |= await _compute_uptime(session, recent, now)
    # Each instance's days: from the one it was created (or the period's first) to the
    # one it stopped (deleted, the period's end, or now); observed days outside too.
    spans = [
        (
            instance.id,
            instance.display_name,
            bisect_right(bounds, instance.created_at) - 1,
            bisect_left(bounds, min(q.end, now, instance.deleted_at or q.end)),
        )
        for instance in instances
    ]
    rows: list[Row] = []
    for n, day in enumerate(days):
        for instance_id, name, first, stop in spans:
            opened, observed = seconds.get((instance_id, day), (0.0, 0.0))
            if observed or first <= n < stop:
                rows.append(
                    {
                        "day": day,
                        "instance_id": instance_id,
                        "instance_name": name,
                        "open_seconds": round(opened),
                        "observed_seconds": round(observed),
                        "uptime_percent": round(100 * opened / observed, 2) if observed else None,
                    }
                )
    rows, truncated = _bounded(rows)
    return {**_period(q), "rows": rows, "truncated": truncated}


# --- CSV ----------------------------------------------------------------------------------


def _name(kind: str, q: ReportQuery) -> str:
    return f"evodash-{kind}-{q.first_day.isoformat()}-{q.last_day.isoformat()}.csv"


#: CSV columns named otherwise than the JSON keys.
_CSV_KEYS = {"instance": "instance_name"}


def _csv(kind: str, q: ReportQuery, report: Row, header: list[str], sep: Separator) -> Response:
    keys = [_CSV_KEYS.get(column, column) for column in header]
    rows = ([r[k] for k in keys] for r in report["rows"])
    return csv_response(_name(kind, q), header, rows, sep)


def messages_csv(report: Row, q: ReportQuery, sep: Separator) -> Response:
    header = ["day", "instance_id", "instance", "received", "sent", "blocked"]
    return _csv("messages", q, report, header, sep)


def uptime_csv(report: Row, q: ReportQuery, sep: Separator) -> Response:
    header = [
        "day",
        "instance_id",
        "instance",
        "open_seconds",
        "observed_seconds",
        "uptime_percent",
    ]
    return _csv("uptime", q, report, header, sep)


def jobs_csv(report: Row, q: ReportQuery, sep: Separator) -> Response:
    header = [
        "day",
        "total",
        "succeeded",
        "failed",
        "cancelled",
        "success_rate",
        "mean_duration_ms",
    ]
    return _csv("jobs", q, report, header, sep)


def hours_csv(report: Row, q: ReportQuery, sep: Separator) -> Response:
    return _csv("hours", q, report, ["hour", "received", "sent"], sep)


def senders_csv(report: Row, q: ReportQuery, sep: Separator) -> Response:
    return _csv("senders", q, report, ["sender_phone", "messages"], sep)
