"""Uptime over rolling windows (the last 24 h, 7 d and 30 d), per instance and for the fleet.

Everything is computed from the connection history (``connection_event``, one row per
transition) by :func:`segments`, which the daily uptime report uses too:

* the state at a window's start is the instance's last event before it; an instance with
  no event before is **unknown** until its first one (nothing is assumed);
* ``unreachable`` (evodash could not reach the Evolution server) says nothing about the
  WhatsApp connection: it counts as unknown, like the time before the first event;
* time counts from the instance's creation (if inside the window) to its deletion (for
  a deleted instance that kept its history) or now;
* **uptime** is the time in state ``open`` over the time with a known state;
* a **disconnect** is a change to a known state other than ``open`` whose last known
  state was ``open`` (``open`` → unknown → ``close`` counts once, at the ``close``); the
  **time to reconnect** runs from a disconnect to the next ``open``. Disconnects not
  reconnected yet are counted but take no part in the mean.

One statement per list of instances on PostgreSQL, whatever the list's length (two
queries and a pass in memory on SQLite); a timeline reads its window's events.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.db import utcnow
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.reports.repository import ReportsRepository
from evodash.reports.schemas import (
    FleetUptime,
    InstanceUptime,
    InstanceUptimeDetail,
    ReportQuery,
    UptimeSegment,
    UptimeWindow,
    WorstInstance,
)
from evodash.teams.scope import EVERYTHING, Scope

Window = Literal["24h", "7d", "30d"]
WINDOWS: dict[Window, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
LONGEST = max(WINDOWS.values())
UNKNOWN = "unknown"
#: States that say nothing about the WhatsApp connection.
UNOBSERVED = frozenset({UNKNOWN, InstanceStatus.unreachable.value})
OPEN = InstanceStatus.open.value
#: A timeline shows at most this many segments (the newest); a flapping instance can
#: change state thousands of times in 30 days.
MAX_SEGMENTS = 1000
#: The window the fleet's worst instances are ranked by.
WORST_WINDOW: Window = "7d"
#: The most worst instances a fleet request lists.
MAX_WORST = 100
#: The fleet's figures are kept this long per process (seconds).
FLEET_TTL = 60.0


@dataclass(frozen=True, slots=True)
class Segment:
    state: str
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def segments(
    seed: str | None, events: Iterable[tuple[str, datetime]], start: datetime, stop: datetime
) -> list[Segment]:
    """The states from ``start`` to ``stop``, adjacent equal states merged.

    ``seed`` is the state of the last event before ``start`` (None: unknown until the
    first event); ``events`` are ``(state, at)`` in order (at equal times the later row
    wins). Events outside [start, stop) only move the state."""
    out: list[Segment] = []
    state = seed or UNKNOWN
    since = start
    for next_state, at in [*events, (state, stop)]:
        at = min(max(at, start), stop)
        if at > since:
            if out and out[-1].state == state:
                out[-1] = Segment(state, out[-1].start, at)
            else:
                out.append(Segment(state, since, at))
            since = at
        state = next_state
    return out


@dataclass(slots=True)
class Figures:
    open_seconds: float = 0.0
    observed_seconds: float = 0.0
    unknown_seconds: float = 0.0
    disconnects: int = 0
    reconnects: int = 0
    reconnect_seconds: float = 0.0  # their total

    def add(self, other: Figures) -> None:
        self.open_seconds += other.open_seconds
        self.observed_seconds += other.observed_seconds
        self.unknown_seconds += other.unknown_seconds
        self.disconnects += other.disconnects
        self.reconnects += other.reconnects
        self.reconnect_seconds += other.reconnect_seconds

    @property
    def uptime_percent(self) -> float | None:
        if not self.observed_seconds:
            return None
        return round(100 * self.open_seconds / self.observed_seconds, 2)

    def read(self, window: Window, start: datetime, end: datetime) -> UptimeWindow:
        return UptimeWindow(
            window=window,
            start=start,
            end=end,
            uptime_percent=self.uptime_percent,
            open_seconds=round(self.open_seconds),
            observed_seconds=round(self.observed_seconds),
            unknown_seconds=round(self.unknown_seconds),
            disconnects=self.disconnects,
            reconnects=self.reconnects,
            mean_reconnect_seconds=round(self.reconnect_seconds / self.reconnects, 1)
            if self.reconnects
            else None,
        )


def figures(timeline: Sequence[Segment], start: datetime, end: datetime) -> Figures:
    """The figures of [start, end) from a timeline that covers it (and may begin before)."""
    out = Figures()
    known: str | None = None  # the last known state before the segment at hand
    down_since: datetime | None = None  # the disconnect not reconnected yet
    for seg in timeline:
        lo, hi = max(seg.start, start), min(seg.end, end)
        if hi > lo:
            seconds = (hi - lo).total_seconds()
            if seg.state in UNOBSERVED:
                out.unknown_seconds += seconds
            else:
                out.observed_seconds += seconds
                if seg.state == OPEN:
                    out.open_seconds += seconds
        if seg.state in UNOBSERVED:
            continue
        if seg.state == OPEN:
            if down_since is not None and seg.start < end:
                out.reconnects += 1
                out.reconnect_seconds += (seg.start - down_since).total_seconds()
            down_since = None
        elif known == OPEN and start <= seg.start < end:
            out.disconnects += 1
            down_since = seg.start
        known = seg.state
    return out


# --- reading the history ---------------------------------------------------------------------


def _query(start: datetime, end: datetime, scope: Scope = EVERYTHING) -> ReportQuery:
    return ReportQuery(
        first_day=start.date(),
        last_day=end.date(),
        tz="UTC",
        start=start,
        end=end,
        instance_ids=scope.instance_ids,
    )


async def timelines(
    session: AsyncSession, instances: Sequence[EvolutionInstance], start: datetime, now: datetime
) -> dict[int, list[Segment]]:
    """Each instance's timeline from ``start`` (or its creation) to ``now`` (or its
    deletion): two queries for the whole list."""
    repo = ReportsRepository(session, _query(start, now))
    ids = [i.id for i in instances]
    before = await repo.states_before(ids)
    events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for instance_id, state, at in await repo.events_during(ids):
        events[instance_id].append((state, at))
    out = {}
    for instance in instances:
        begin = max(start, instance.created_at)
        stop = min(now, instance.deleted_at or now)
        out[instance.id] = segments(before.get(instance.id), events[instance.id], begin, stop)
    return out


def _windows(timeline: Sequence[Segment], now: datetime) -> dict[Window, Figures]:
    return {w: figures(timeline, now - span, now) for w, span in WINDOWS.items()}


def _read_windows(found: dict[Window, Figures], now: datetime) -> list[UptimeWindow]:
    return [found[w].read(w, now - span, now) for w, span in WINDOWS.items()]


async def window_figures(
    session: AsyncSession, instances: Sequence[EvolutionInstance], now: datetime
) -> dict[int, dict[Window, Figures]]:
    """The three windows of each instance. PostgreSQL computes them in one statement
    (hundreds of thousands of events for a fleet with flapping numbers); SQLite from the
    timelines in memory. The tests hold both to the same hand-computed figures."""
    repo = ReportsRepository(session, _query(now - LONGEST, now))
    if not repo.postgres:
        found = await timelines(session, instances, now - LONGEST, now)
        return {i.id: _windows(found[i.id], now) for i in instances}
    names = list(WINDOWS)
    starts = [now - WINDOWS[w] for w in names]
    out: dict[int, dict[Window, Figures]] = {i.id: {} for i in instances}
    rows = await repo.uptime_windows([i.id for i in instances], starts, now)
    for instance_id, begin, stop, per_window in rows:
        for name, start, (opened, observed, drops, back, back_s) in zip(
            names, starts, per_window, strict=True
        ):
            span = max(0.0, (stop - max(begin, start)).total_seconds())
            out[instance_id][name] = Figures(
                open_seconds=opened,
                observed_seconds=observed,
                unknown_seconds=max(0.0, span - observed),
                disconnects=drops,
                reconnects=back,
                reconnect_seconds=back_s,
            )
    return out


async def instances_uptime(
    session: AsyncSession, instances: Sequence[EvolutionInstance], now: datetime | None = None
) -> list[InstanceUptime]:
    """The three windows of each instance, in the order given."""
    now = now or utcnow()
    found = await window_figures(session, instances, now)
    return [
        InstanceUptime(instance_id=i.id, windows=_read_windows(found[i.id], now)) for i in instances
    ]


async def instances_uptime_by_id(
    session: AsyncSession,
    ids: Sequence[int],
    scope: Scope = EVERYTHING,
    now: datetime | None = None,
) -> list[InstanceUptime]:
    """Those of ``ids`` the caller may see (the others are left out, like unknown ids)."""
    now = now or utcnow()
    repo = ReportsRepository(session, _query(now - LONGEST, now))
    visible = scope.visible(list(ids)) or []
    return await instances_uptime(session, await repo.instances_by_id(visible), now)


async def instance_uptime(
    session: AsyncSession,
    instance: EvolutionInstance,
    window: Window,
    now: datetime | None = None,
) -> InstanceUptimeDetail:
    """One instance's figures and the state timeline of ``window``."""
    now = now or utcnow()
    start = now - WINDOWS[window]
    found = await window_figures(session, [instance], now)
    timeline = (await timelines(session, [instance], start, now))[instance.id]
    shown = [UptimeSegment(state=s.state, start=s.start, end=s.end) for s in timeline]
    return InstanceUptimeDetail(
        instance_id=instance.id,
        generated_at=now,
        windows=_read_windows(found[instance.id], now),
        timeline_window=window,
        timeline_start=start,
        timeline_end=now,
        segments=shown[-MAX_SEGMENTS:],
        segments_truncated=len(shown) > MAX_SEGMENTS,
    )


async def fleet_uptime(
    session: AsyncSession, worst: int, now: datetime | None = None, scope: Scope = EVERYTHING
) -> FleetUptime:
    """Every instance alive during the last 30 days, summed (time-weighted, not a mean of
    percentages), and the live instances with the lowest uptime over 7 days."""
    now = now or utcnow()
    repo = ReportsRepository(session, _query(now - LONGEST, now, scope))
    instances = await repo.instances_alive()
    found = await window_figures(session, instances, now)
    total: dict[Window, Figures] = {w: Figures() for w in WINDOWS}
    ranked: list[tuple[float, int, EvolutionInstance, Figures]] = []
    for instance in instances:
        mine = found[instance.id]
        for w in WINDOWS:
            total[w].add(mine[w])
        ranking = mine[WORST_WINDOW]
        if instance.deleted_at is None and ranking.uptime_percent is not None:
            ranked.append((ranking.uptime_percent, -ranking.disconnects, instance, ranking))
    ranked.sort(key=lambda r: (r[0], r[1], r[2].id))
    return FleetUptime(
        generated_at=now,
        instances=sum(1 for i in instances if i.deleted_at is None),
        windows=_read_windows(total, now),
        worst_window=WORST_WINDOW,
        worst=[
            WorstInstance(
                instance_id=i.id,
                display_name=i.display_name,
                status=i.status,
                uptime_percent=percent,
                disconnects=f.disconnects,
            )
            for percent, _, i, f in ranked[:worst]
        ],
    )


@dataclass
class FleetCache:
    """Per process: the whole fleet's figures, computed at most once a minute. A fleet of
    1,000 numbers, some of them flapping, has hundreds of thousands of events in 30 days,
    and every dashboard asks; a minute-old figure over 30 days is as good as a fresh one.
    A caller limited to some instances (teams) gets them computed for its scope."""

    value: FleetUptime | None = None
    computed_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def get(
        self, session: AsyncSession, worst: int, scope: Scope = EVERYTHING
    ) -> FleetUptime:
        if not scope.unlimited:
            return await fleet_uptime(session, worst, scope=scope)
        async with self.lock:  # one computation at a time; the others wait and reuse it
            if self.value is None or time.monotonic() - self.computed_at >= FLEET_TTL:
                self.value = await fleet_uptime(session, MAX_WORST)
                self.computed_at = time.monotonic()
            return self.value.model_copy(update={"worst": self.value.worst[:worst]})
