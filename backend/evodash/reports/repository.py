"""Set-based SQL for reports. Message figures read the trigger-kept rollups
(``message_hourly``, ``sender_daily``), never the messages table.

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

from sqlalchemy import Date, Integer, and_, case, cast, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob, JobStatus
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
        if offset == 0:
            daily = await self._daily(first, last)
        else:
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
        s = SenderDaily
        total = func.sum(s.messages)
        stmt = select(s.sender_phone, total).where(
            s.day >= self.q.first_day, s.day <= self.q.last_day
        )
        stmt = self._scoped(stmt, s.instance_id).group_by(s.sender_phone)
        stmt = stmt.order_by(total.desc(), s.sender_phone).limit(limit)
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
  SELECT DISTINCT ON (c.instance_id) c.instance_id, c.state,
         CAST(:start AS timestamptz) AS at, CAST(0 AS bigint) AS id
  FROM connection_event AS c
  WHERE c.instance_id = ANY(CAST(:ids AS integer[])) AND c.at < CAST(:start AS timestamptz)
  ORDER BY c.instance_id, c.at DESC, c.id DESC
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
SELECT instance_id, day, SUM(CASE WHEN state = 'open' THEN seconds ELSE 0 END), SUM(seconds)
FROM cut GROUP BY instance_id, day
"""


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
