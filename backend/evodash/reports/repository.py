"""Set-based SQL for reports. Message figures read the trigger-kept rollups
(``message_daily``, ``message_hourly``, ``sender_daily``); only the top senders read the
messages of the period's partial UTC days at its two ends.

Days and hours are those of the report's time zone. Message figures are kept per UTC day
and hour, so they use the zone's offset at the start of the period, to the hour (Brazil
has had no daylight saving since 2019). Jobs are read from their table: PostgreSQL
converts each timestamp exactly (``timezone(tz, ts)``); SQLite shifts by that offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select, text, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.messages.models import WhatsAppMessage
from evodash.reports.models import MessageDaily, MessageHourly, SenderDaily, UptimeDaily
from evodash.reports.schemas import ReportQuery


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class ReportsRepository:
    def __init__(self, session: AsyncSession, query: ReportQuery) -> None:
        self.session = session
        self.q = query
        self.postgres = session.get_bind().dialect.name == "postgresql"
        offset = query.start.astimezone(ZoneInfo(query.tz)).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        self._shift = f"{minutes:+d} minutes"

    def _day(self, column: Any) -> Any:
        if self.postgres:
            return cast(func.timezone(self.q.tz, column), Date)
        return func.substr(func.datetime(column, self._shift), 1, 10)

    def _hour_of_day(self, column: Any) -> Any:
        if self.postgres:
            return cast(func.extract("hour", func.timezone(self.q.tz, column)), Integer)
        return cast(func.strftime("%H", column, self._shift), Integer)

    def _scoped(self, stmt: Any, instance_column: Any) -> Any:
        if self.q.instance_id is not None:
            stmt = stmt.where(instance_column == self.q.instance_id)
        if self.q.server_id is not None:
            servers = select(EvolutionInstance.id).where(
                EvolutionInstance.server_id == self.q.server_id
            )
            stmt = stmt.where(instance_column.in_(servers.scalar_subquery()))
        if self.q.instance_ids is not None:
            stmt = stmt.where(instance_column.in_(sorted(self.q.instance_ids)))
        return stmt

    async def instance_names(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        stmt = select(EvolutionInstance.id, EvolutionInstance.display_name).where(
            EvolutionInstance.id.in_(sorted(ids))
        )
        return {i: name for i, name in (await self.session.execute(stmt)).all()}

    @property
    def offset_hours(self) -> int:
        """The zone's offset at the start of the period, to the hour (message figures are
        kept per UTC hour)."""
        offset = self.q.start.astimezone(ZoneInfo(self.q.tz)).utcoffset()
        return round(offset.total_seconds() / 3600) if offset else 0

    async def _daily(self, first: date, last: date) -> dict[tuple[date, int], list[int]]:
        d = MessageDaily
        stmt = select(d.day, d.instance_id, d.received, d.sent, d.blocked).where(
            d.day >= first, d.day <= last
        )
        rows = (await self.session.execute(self._scoped(stmt, d.instance_id))).all()
        return {(_as_date(day), i): [r, s, b] for day, i, r, s, b in rows}

    async def _early_hours(
        self, first: date, last: date, before_hour: int
    ) -> dict[tuple[date, int], list[int]]:
        """Per UTC day and instance: the counts of its hours before ``before_hour``."""
        h = MessageHourly
        day = (
            cast(func.timezone("UTC", h.hour), Date)
            if self.postgres
            else func.substr(h.hour, 1, 10)
        )
        stmt = select(
            day, h.instance_id, func.sum(h.received), func.sum(h.sent), func.sum(h.blocked)
        ).where(
            h.hour_of_day < before_hour,
            h.hour >= datetime.combine(first, time(0), UTC),
            h.hour < datetime.combine(last + timedelta(days=1), time(0), UTC),
        )
        stmt = self._scoped(stmt, h.instance_id).group_by(day, h.instance_id)
        rows = (await self.session.execute(stmt)).all()
        return {(_as_date(d), i): [int(r), int(s), int(b)] for d, i, r, s, b in rows}

    async def messages_per_day(self) -> list[tuple[date, int, int, int, int]]:
        """``(day, instance_id, received, sent, blocked)``, by day then instance.

        Local day D of a zone k hours behind UTC is UTC day D without its first k hours,
        plus the first k hours of D+1 (ahead of UTC: D-1's last hours plus D's first
        ones): the daily rollup and a few hourly rows, whatever the period's length.
        """
        offset = self.offset_hours
        first, last = self.q.first_day, self.q.last_day
        if offset == 0:  # the daily rollup as it is, in order
            d = MessageDaily
            stmt = select(d.day, d.instance_id, d.received, d.sent, d.blocked).where(
                d.day >= first, d.day <= last, d.received + d.sent + d.blocked > 0
            )
            stmt = self._scoped(stmt, d.instance_id).order_by(d.day, d.instance_id)
            rows = (await self.session.execute(stmt)).all()
            if self.postgres:
                return [tuple(r) for r in rows]
            return [(_as_date(day), i, r, s, b) for day, i, r, s, b in rows]
        # Another zone: the day's rollup, less its first k hours, plus the next day's.
        k, shift = (-offset) % 24, timedelta(days=1 if offset > 0 else 0)
        base = await self._daily(first - shift, last - shift)
        early = await self._early_hours(first - shift, last - shift + timedelta(days=1), k)
        daily = {}
        one = timedelta(days=1)
        keys = {(d + shift, i) for d, i in base} | {(d + shift - one, i) for d, i in early}
        for local, instance in keys:
            if not first <= local <= last:
                continue
            x = local - shift
            counts = [
                a - b + c
                for a, b, c in zip(
                    base.get((x, instance), [0, 0, 0]),
                    early.get((x, instance), [0, 0, 0]),
                    early.get((x + one, instance), [0, 0, 0]),
                    strict=True,
                )
            ]
            if any(counts):
                daily[(local, instance)] = counts
        return [(d, i, *daily[(d, i)]) for d, i in sorted(daily)]  # type: ignore[misc]

    async def messages_per_hour_of_day(self) -> dict[int, tuple[int, int]]:
        h = MessageHourly
        stmt = select(h.hour_of_day, func.sum(h.received), func.sum(h.sent)).where(
            h.hour >= self.q.start, h.hour < self.q.end
        )
        stmt = self._scoped(stmt, h.instance_id).group_by(h.hour_of_day)
        offset = self.offset_hours
        out: dict[int, tuple[int, int]] = {}
        for hour, received, sent in (await self.session.execute(stmt)).all():
            out[(int(hour) + offset) % 24] = (int(received), int(sent))
        return out

    async def top_senders(self, limit: int) -> list[tuple[str, int]]:
        """The busiest incoming senders of the period's days in its zone.

        ``sender_daily`` is kept per UTC day: the UTC days wholly inside the period come
        from it, and the hours at its ends that belong to a UTC day only in part (the
        zone's offset: a São Paulo day ends at 03:00 UTC the next day) are counted from
        the messages themselves, less than a day at each end, read by their time index.
        """
        s, m = SenderDaily, WhatsAppMessage
        start, end = self.q.start.astimezone(UTC), self.q.end.astimezone(UTC)
        first_full = start.date() if start.time() == time(0) else start.date() + timedelta(days=1)
        full_start = datetime.combine(first_full, time(0), UTC)
        full_end = max(datetime.combine(end.date(), time(0), UTC), full_start)
        whole_days = select(s.sender_phone.label("phone"), s.messages.label("n")).where(
            s.day >= first_full, s.day < full_end.date()
        )
        edges = select(m.sender_phone.label("phone"), literal(1).label("n")).where(
            m.direction == "in",
            m.sender_phone.is_not(None),
            or_(
                and_(m.wa_timestamp >= start, m.wa_timestamp < min(full_start, end)),
                and_(m.wa_timestamp >= max(full_end, start), m.wa_timestamp < end),
            ),
        )
        counted = union_all(
            self._scoped(whole_days, s.instance_id), self._scoped(edges, m.instance_id)
        ).subquery()
        total = func.sum(counted.c.n)
        stmt = (
            select(counted.c.phone, total)
            .group_by(counted.c.phone)
            .order_by(total.desc(), counted.c.phone)
            .limit(limit)
        )
        return [(p, int(n)) for p, n in (await self.session.execute(stmt)).all()]

    async def jobs_per_day(self) -> list[tuple[date, int, int, int, int, float | None]]:
        """``(day, total, succeeded, failed, cancelled, mean ms of succeeded)``."""
        j = ImageProcessingJob
        day = self._day(j.created_at)
        done = j.status == JobStatus.succeeded.value
        if self.postgres:
            ms: Any = func.extract("epoch", j.finished_at - j.started_at) * 1000
        else:
            ms = (func.julianday(j.finished_at) - func.julianday(j.started_at)) * 86_400_000.0
        stmt = select(
            day,
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((j.status == JobStatus.failed.value, 1), else_=0)),
            func.sum(case((j.status == JobStatus.cancelled.value, 1), else_=0)),
            func.avg(case((and_(done, j.started_at.is_not(None)), ms), else_=None)),
        ).where(j.created_at >= self.q.start, j.created_at < self.q.end)
        stmt = self._scoped(stmt, j.instance_id).group_by(day).order_by(day)
        return [
            (_as_date(d), int(t), int(s), int(f), int(c), None if m is None else float(m))
            for d, t, s, f, c, m in (await self.session.execute(stmt)).all()
        ]

    async def instances_alive(self) -> Sequence[EvolutionInstance]:
        """Instances that existed during the period (created before its end, not deleted
        before its start)."""
        i = EvolutionInstance
        stmt = select(i).where(
            i.created_at < self.q.end, or_(i.deleted_at.is_(None), i.deleted_at >= self.q.start)
        )
        return (await self.session.scalars(self._scoped(stmt, i.id).order_by(i.id))).all()

    async def instances_by_id(self, ids: Sequence[int]) -> Sequence[EvolutionInstance]:
        """These instances (deleted ones included; unknown ids left out), in id order."""
        if not ids:
            return []
        i = EvolutionInstance
        stmt = select(i).where(i.id.in_(sorted(set(ids)))).order_by(i.id)
        return (await self.session.scalars(stmt)).all()

    async def states_before(self, ids: Sequence[int]) -> dict[int, str]:
        """Each instance's connection state when the period starts (its last event)."""
        if not ids:
            return {}
        c = ConnectionEvent
        last = (
            select(c.instance_id, func.max(c.at).label("at"))
            .where(c.at < self.q.start, c.instance_id.in_(ids))
            .group_by(c.instance_id)
            .subquery()
        )
        stmt = select(c.instance_id, c.state, c.id).join(
            last, and_(last.c.instance_id == c.instance_id, last.c.at == c.at)
        )
        states: dict[int, str] = {}
        for instance_id, state, _ in (await self.session.execute(stmt.order_by(c.id))).all():
            states[instance_id] = state  # ties on `at`: the later row wins
        return states

    async def uptime_seconds(
        self, ids: Sequence[int], now: datetime
    ) -> dict[tuple[int, date], tuple[float, float]]:
        """PostgreSQL: ``{(instance_id, local day): (open seconds, observed seconds)}``,
        computed in one statement (window over the events, cut at local midnights)."""
        params = {
            "ids": list(ids),
            "start": self.q.start,
            "end": self.q.end,
            "now": now,
            "tz": self.q.tz,
        }
        rows = (await self.session.execute(text(_UPTIME_SQL), params)).all()
        return {(int(i), d): (float(o), float(t)) for i, d, o, t in rows}

    async def uptime_windows(
        self, ids: Sequence[int], starts: Sequence[datetime], now: datetime
    ) -> list[tuple[int, datetime, datetime, list[tuple[float, float, int, int, float]]]]:
        """PostgreSQL, in one statement: ``(instance_id, span start, span stop, figures)``
        with, for each of the three windows ``starts`` (shortest first) that end at
        ``now``: open s, observed s, disconnects, reconnects, reconnect s."""
        if not ids:
            return []
        params = {"ids": list(ids), "now": now} | {f"w{n}": at for n, at in enumerate(starts)}
        out = []
        for row in (await self.session.execute(text(_UPTIME_WINDOWS_SQL), params)).all():
            # (id, begin, stop, figures.instance_id, then five figures per window)
            figures = [
                (float(o or 0), float(t or 0), int(d or 0), int(r or 0), float(rs or 0))
                for o, t, d, r, rs in (row[4 + 5 * n : 9 + 5 * n] for n in range(3))
            ]
            out.append((int(row[0]), row[1], row[2], figures))
        return out

    async def events_during(self, ids: Sequence[int]) -> list[tuple[int, str, datetime]]:
        if not ids:
            return []
        c = ConnectionEvent
        stmt = (
            select(c.instance_id, c.state, c.at)
            .where(c.at >= self.q.start, c.at < self.q.end, c.instance_id.in_(ids))
            .order_by(c.instance_id, c.at, c.id)
        )
        return [(i, s, at) for i, s, at in (await self.session.execute(stmt)).all()]


_UPTIME_SQL = """
WITH inst AS (
  SELECT id, LEAST(CAST(:end AS timestamptz), CAST(:now AS timestamptz),
                   COALESCE(deleted_at, CAST(:end AS timestamptz))) AS stop
  FROM evolution_instance WHERE id = ANY(CAST(:ids AS integer[]))
), seeds AS (
  -- Each instance's last event before the period: one index probe per instance (a
  -- DISTINCT ON over every earlier event sorted a year of them, 70 ms at 50,000).
  SELECT inst.id AS instance_id, last.state,
         CAST(:start AS timestamptz) AS at, CAST(0 AS bigint) AS id
  FROM inst CROSS JOIN LATERAL (
    SELECT c.state FROM connection_event AS c
    WHERE c.instance_id = inst.id AND c.at < CAST(:start AS timestamptz)
    ORDER BY c.at DESC, c.id DESC LIMIT 1
  ) AS last
), ev AS (
  SELECT instance_id, state, at, id FROM connection_event
  WHERE instance_id = ANY(CAST(:ids AS integer[]))
    AND at >= CAST(:start AS timestamptz) AND at < CAST(:end AS timestamptz)
  UNION ALL SELECT instance_id, state, at, id FROM seeds
), iv AS (
  SELECT ev.instance_id, ev.state, ev.at AS s,
         LEAST(COALESCE(LEAD(ev.at) OVER (PARTITION BY ev.instance_id ORDER BY ev.at, ev.id),
                        inst.stop), inst.stop) AS e
  FROM ev JOIN inst ON inst.id = ev.instance_id
), cut AS (
  SELECT iv.instance_id, iv.state, CAST(d.local_day AS date) AS day,
         EXTRACT(EPOCH FROM LEAST(iv.e, (d.local_day + interval '1 day') AT TIME ZONE :tz)
                          - GREATEST(iv.s, d.local_day AT TIME ZONE :tz)) AS seconds
  FROM iv CROSS JOIN LATERAL generate_series(
    date_trunc('day', iv.s AT TIME ZONE :tz),
    date_trunc('day', (iv.e AT TIME ZONE :tz) - interval '1 microsecond'),
    interval '1 day') AS d(local_day)
  WHERE iv.e > iv.s
)
SELECT instance_id, day, SUM(CASE WHEN state = 'open' THEN seconds ELSE 0 END),
       SUM(CASE WHEN state = 'unreachable' THEN 0 ELSE seconds END)
FROM cut GROUP BY instance_id, day
HAVING SUM(CASE WHEN state = 'unreachable' THEN 0 ELSE seconds END) > 0
"""


#: PostgreSQL: per instance, for the three rolling windows (``:w0`` > ``:w1`` > ``:w2``,
#: all ending ``:now``): its span (for the unknown time), then per window open seconds,
#: observed seconds, disconnects, reconnects and their total time. The same rules as
#: :func:`evodash.reports.uptime.figures`: intervals of zero length (an event replaced at
#: the same instant, events after a deletion) and unknown ones are dropped; a disconnect
#: is a known down state right after an ``open`` one; a reconnect is an ``open`` right
#: after a down one, timed from the latest disconnect. The window functions share one
#: order (instance, time), so the events are sorted once; one pass aggregates.
_UPTIME_WINDOWS_SQL = """
WITH inst AS (
  SELECT id, GREATEST(created_at, CAST(:w2 AS timestamptz)) AS begin_at,
         LEAST(CAST(:now AS timestamptz), COALESCE(deleted_at, CAST(:now AS timestamptz))) AS stop
  FROM evolution_instance WHERE id = ANY(CAST(:ids AS integer[]))
), ev AS (
  SELECT c.instance_id, c.state, c.at, c.id FROM connection_event AS c
  WHERE c.instance_id = ANY(CAST(:ids AS integer[]))
    AND c.at >= CAST(:w2 AS timestamptz) AND c.at < CAST(:now AS timestamptz)
  UNION ALL
  SELECT inst.id, seed.state, CAST(:w2 AS timestamptz), CAST(0 AS bigint) FROM inst
  CROSS JOIN LATERAL (
    SELECT c.state FROM connection_event AS c
    WHERE c.instance_id = inst.id AND c.at < CAST(:w2 AS timestamptz)
    ORDER BY c.at DESC, c.id DESC LIMIT 1
  ) AS seed
), iv AS (
  SELECT ev.instance_id, ev.state, ev.at, ev.id,
         GREATEST(ev.at, inst.begin_at) AS s,
         LEAST(COALESCE(LEAD(ev.at) OVER (PARTITION BY ev.instance_id ORDER BY ev.at, ev.id),
                        inst.stop), inst.stop) AS e
  FROM ev JOIN inst ON inst.id = ev.instance_id
), known AS (
  SELECT instance_id, state, at, id, s, e,
         LAG(state) OVER (PARTITION BY instance_id ORDER BY at, id) AS before
  FROM iv WHERE e > s AND state <> 'unreachable'
), marked AS (
  SELECT instance_id, state, s, e,
         before = 'open' AND state <> 'open' AS is_drop,
         before <> 'open' AND state = 'open' AS is_back,
         MAX(CASE WHEN before = 'open' AND state <> 'open' THEN s END)
           OVER (PARTITION BY instance_id ORDER BY at, id) AS last_drop
  FROM known
), figures AS (
  SELECT instance_id,
{figures}
  FROM marked GROUP BY instance_id
)
SELECT inst.id, inst.begin_at, inst.stop, figures.*
FROM inst LEFT JOIN figures ON figures.instance_id = inst.id
""".format(
    figures=",\n".join(
        f"""SUM(EXTRACT(EPOCH FROM e - GREATEST(s, CAST(:w{n} AS timestamptz))))
      FILTER (WHERE e > CAST(:w{n} AS timestamptz) AND state = 'open'),
    SUM(EXTRACT(EPOCH FROM e - GREATEST(s, CAST(:w{n} AS timestamptz))))
      FILTER (WHERE e > CAST(:w{n} AS timestamptz)),
    COUNT(*) FILTER (WHERE is_drop AND s >= CAST(:w{n} AS timestamptz)),
    COUNT(*) FILTER (WHERE is_back AND last_drop >= CAST(:w{n} AS timestamptz)),
    SUM(EXTRACT(EPOCH FROM s - last_drop))
      FILTER (WHERE is_back AND last_drop >= CAST(:w{n} AS timestamptz))"""
        for n in range(3)
    )
)


class UptimeCache:
    """Rows of ``uptime_daily`` for one time zone."""

    def __init__(self, session: AsyncSession, tz: str) -> None:
        self.session = session
        self.tz = tz

    async def marked_days(self, first: date, last: date) -> set[date]:
        u = UptimeDaily
        stmt = select(u.day).where(
            u.tz == self.tz, u.instance_id == 0, u.day >= first, u.day <= last
        )
        return {_as_date(d) for d in (await self.session.scalars(stmt)).all()}

    async def store(
        self, days: set[date], seconds: dict[tuple[int, date], tuple[float, float]]
    ) -> None:
        rows = [
            {"tz": self.tz, "day": d, "instance_id": i, "open_seconds": o, "observed_seconds": t}
            for (i, d), (o, t) in seconds.items()
            if d in days
        ] + [
            {"tz": self.tz, "day": d, "instance_id": 0, "open_seconds": 0, "observed_seconds": 0}
            for d in days
        ]
        postgres = self.session.get_bind().dialect.name == "postgresql"
        insert = pg_insert if postgres else sqlite_insert
        table = UptimeDaily.__table__
        for n in range(0, len(rows), 1000):  # a concurrent request may store them too
            stmt = insert(table).on_conflict_do_nothing()  # type: ignore[arg-type]
            await self.session.execute(stmt, rows[n : n + 1000])

    async def read(
        self, first: date, last: date, ids: Sequence[int]
    ) -> dict[tuple[int, date], tuple[float, float]]:
        if not ids:
            return {}
        u = UptimeDaily
        stmt = select(u.instance_id, u.day, u.open_seconds, u.observed_seconds).where(
            u.tz == self.tz, u.day >= first, u.day <= last, u.instance_id.in_(ids)
        )
        return {(i, _as_date(d)): (o, t) for i, d, o, t in (await self.session.execute(stmt)).all()}


async def stored_message_total(
    session: AsyncSession, instance_ids: frozenset[int] | None = None
) -> int:
    """The messages in the table now (of ``instance_ids`` when given), from the rollup (a
    few thousand rows, not millions)."""
    stmt = select(func.coalesce(func.sum(MessageDaily.stored), 0))
    if instance_ids is not None:
        stmt = stmt.where(MessageDaily.instance_id.in_(sorted(instance_ids)))
    return int((await session.execute(stmt)).scalar_one())
