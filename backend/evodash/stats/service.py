from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.db import utcnow
from evodash.instances.models import InstanceStatus
from evodash.jobs.models import JobStatus
from evodash.stats.repository import StatsRepository
from evodash.stats.schemas import (
    HourBucket,
    MessageFigures,
    RecentConnectionEvent,
    RecentInstance,
    RecentMessage,
    StatsOverview,
)
from evodash.teams.scope import EVERYTHING, Scope

RECENT = 8
# Completed hours rarely change (only messages arriving late with an old timestamp), so
# their counts are kept this long; the current hour is always counted live.
COMPLETED_HOURS_TTL = 60.0

HourRows = list[tuple[datetime, str, bool, int]]


@dataclass
class StatsCache:
    """Per-process cache of the per-hour counts of completed hours."""

    rows: HourRows = field(default_factory=list)
    window: tuple[datetime, datetime] | None = None
    computed_at: float = 0.0

    async def completed_hours(
        self, repo: StatsRepository, first_hour: datetime, this_hour: datetime
    ) -> HourRows:
        fresh = time.monotonic() - self.computed_at < COMPLETED_HOURS_TTL
        if self.window != (first_hour, this_hour) or not fresh:
            self.rows = await repo.hourly_counts(first_hour, this_hour)
            self.window = (first_hour, this_hour)
            self.computed_at = time.monotonic()
        return self.rows


async def overview(
    session: AsyncSession, cache: StatsCache | None = None, scope: Scope = EVERYTHING
) -> StatsOverview:
    repo = StatsRepository(session, scope)
    now = utcnow()
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    first_hour = this_hour - timedelta(hours=23)

    servers, unreachable = await repo.server_counts()
    by_status = {s.value: 0 for s in InstanceStatus} | await repo.instances_by_status()
    jobs = {s.value: 0 for s in JobStatus} | await repo.jobs_by_status()

    buckets = {
        first_hour + timedelta(hours=i): HourBucket(
            hour=first_hour + timedelta(hours=i), incoming=0, outgoing=0, blocked=0
        )
        for i in range(24)
    }
    figures = MessageFigures(
        last_24h=0, incoming_24h=0, outgoing_24h=0, blocked_24h=0, total=await repo.message_total()
    )
    if cache is None or not scope.unlimited:
        cache = StatsCache()  # the shared cache holds everyone's figures
    rows = await cache.completed_hours(repo, first_hour, this_hour)
    rows = rows + await repo.hourly_counts(this_hour)
    for hour, direction, allowed, count in rows:
        bucket = buckets.get(hour)
        if bucket is not None:
            if direction == "out":
                bucket.outgoing += count
            else:
                bucket.incoming += count
            if not allowed:
                bucket.blocked += count
    # The 24 h figures are the chart's sum: the current hour and the 23 before it.
    for bucket in buckets.values():
        figures.incoming_24h += bucket.incoming
        figures.outgoing_24h += bucket.outgoing
        figures.blocked_24h += bucket.blocked
    figures.last_24h = figures.incoming_24h + figures.outgoing_24h

    return StatsOverview(
        generated_at=now,
        servers=servers,
        servers_unreachable=unreachable,
        instances_total=sum(by_status.values()),
        instances_by_status=by_status,
        messages=figures,
        jobs_by_status=jobs,
        messages_per_hour=list(buckets.values()),
        recent_instances=[
            RecentInstance.model_validate(i) for i in await repo.recent_instances(RECENT)
        ],
        latest_messages=[
            RecentMessage(
                id=m.id,
                instance_id=m.instance_id,
                instance_name=name,
                direction=m.direction,
                message_type=m.message_type,
                sender_phone=m.sender_phone,
                sender_name=m.sender_name,
                text=(m.text or "")[:200] or None,
                is_allowed=m.is_allowed,
                wa_timestamp=m.wa_timestamp,
            )
            for m, name in await repo.latest_messages(RECENT)
        ],
        latest_connection_events=[
            RecentConnectionEvent(
                id=e.id,
                instance_id=e.instance_id,
                instance_name=name,
                state=e.state,
                previous_state=e.previous_state,
                reason_code=e.reason_code,
                source=e.source,
                at=e.at,
            )
            for e, name in await repo.latest_connection_events(RECENT)
        ],
    )
