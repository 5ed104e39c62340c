"""Reports: the rows of each report, and the same rows as CSV."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.csvexport import Separator, csv_response
from evodash.core.db import utcnow
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.reports.repository import ReportsRepository, UptimeCache
from evodash.reports.schemas import (
    HourRow,
    HoursReport,
    JobDayRow,
    JobsReport,
    MessageDayRow,
    MessagesReport,
    MessageTotals,
    ReportQuery,
    SenderRow,
    SendersReport,
    UptimeDayRow,
    UptimeReport,
)
from evodash.reports.uptime import UNOBSERVED, segments


def _period(q: ReportQuery) -> dict[str, object]:
    return {"from": q.first_day, "to": q.last_day, "tz": q.tz}


async def messages(session: AsyncSession, q: ReportQuery) -> MessagesReport:
    repo = ReportsRepository(session, q)
    rows = await repo.messages_per_day()
    names = await repo.instance_names({r[1] for r in rows})
    items = [
        MessageDayRow(
            day=day,
            instance_id=instance_id,
            instance_name=names.get(instance_id, ""),
            received=received,
            sent=sent,
            blocked=blocked,
        )
        for day, instance_id, received, sent, blocked in rows
    ]
    totals = MessageTotals(
        received=sum(r.received for r in items),
        sent=sum(r.sent for r in items),
        blocked=sum(r.blocked for r in items),
    )
    return MessagesReport.model_validate({**_period(q), "rows": items, "totals": totals})


async def hours(session: AsyncSession, q: ReportQuery) -> HoursReport:
    counts = await ReportsRepository(session, q).messages_per_hour_of_day()
    rows = [
        HourRow(hour=h, received=counts.get(h, (0, 0))[0], sent=counts.get(h, (0, 0))[1])
        for h in range(24)
    ]
    return HoursReport.model_validate({**_period(q), "rows": rows})


async def senders(session: AsyncSession, q: ReportQuery, limit: int) -> SendersReport:
    rows = await ReportsRepository(session, q).top_senders(limit)
    items = [SenderRow(sender_phone=p, messages=n) for p, n in rows]
    return SendersReport.model_validate({**_period(q), "rows": items})


async def jobs(session: AsyncSession, q: ReportQuery) -> JobsReport:
    items = []
    for day, total, ok, failed, cancelled, mean_ms in await ReportsRepository(
        session, q
    ).jobs_per_day():
        finished = ok + failed
        items.append(
            JobDayRow(
                day=day,
                total=total,
                succeeded=ok,
                failed=failed,
                cancelled=cancelled,
                success_rate=round(100 * ok / finished, 2) if finished else None,
                mean_duration_ms=None if mean_ms is None else round(mean_ms, 1),
            )
        )
    return JobsReport.model_validate({**_period(q), "rows": items})


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


async def uptime(session: AsyncSession, q: ReportQuery) -> UptimeReport:
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
    items: list[UptimeDayRow] = []
    for n, day in enumerate(days):
        for instance in instances:
            opened, observed = seconds.get((instance.id, day), (0.0, 0.0))
            stop = min(q.end, now, instance.deleted_at or q.end)
            if observed or (bounds[n] < stop and bounds[n + 1] > instance.created_at):
                items.append(
                    UptimeDayRow(
                        day=day,
                        instance_id=instance.id,
                        instance_name=instance.display_name,
                        open_seconds=round(opened),
                        observed_seconds=round(observed),
                        uptime_percent=round(100 * opened / observed, 2) if observed else None,
                    )
                )
    return UptimeReport.model_validate({**_period(q), "rows": items})


# --- CSV ----------------------------------------------------------------------------------


def _name(kind: str, q: ReportQuery) -> str:
    return f"evodash-{kind}-{q.first_day.isoformat()}-{q.last_day.isoformat()}.csv"


def messages_csv(report: MessagesReport, q: ReportQuery, sep: Separator) -> Response:
    header = ["day", "instance_id", "instance", "received", "sent", "blocked"]
    rows = [
        (r.day, r.instance_id, r.instance_name, r.received, r.sent, r.blocked) for r in report.rows
    ]
    return csv_response(_name("messages", q), header, rows, sep)


def uptime_csv(report: UptimeReport, q: ReportQuery, sep: Separator) -> Response:
    header = [
        "day",
        "instance_id",
        "instance",
        "open_seconds",
        "observed_seconds",
        "uptime_percent",
    ]
    rows = [
        (
            r.day,
            r.instance_id,
            r.instance_name,
            r.open_seconds,
            r.observed_seconds,
            r.uptime_percent,
        )
        for r in report.rows
    ]
    return csv_response(_name("uptime", q), header, rows, sep)


def jobs_csv(report: JobsReport, q: ReportQuery, sep: Separator) -> Response:
    header = [
        "day",
        "total",
        "succeeded",
        "failed",
        "cancelled",
        "success_rate",
        "mean_duration_ms",
    ]
    rows = [
        (r.day, r.total, r.succeeded, r.failed, r.cancelled, r.success_rate, r.mean_duration_ms)
        for r in report.rows
    ]
    return csv_response(_name("jobs", q), header, rows, sep)


def hours_csv(report: HoursReport, q: ReportQuery, sep: Separator) -> Response:
    rows = [(r.hour, r.received, r.sent) for r in report.rows]
    return csv_response(_name("hours", q), ["hour", "received", "sent"], rows, sep)


def senders_csv(report: SendersReport, q: ReportQuery, sep: Separator) -> Response:
    rows = [(r.sender_phone, r.messages) for r in report.rows]
    return csv_response(_name("senders", q), ["sender_phone", "messages"], rows, sep)
