"""Recovery rules: which window to ask for, claiming a pass, storing what it found.

A pass asks Evolution (``findMessages``) for the messages it stored for an instance in a
window of WhatsApp time, page by page, and stores each through the webhook's own path
(:func:`evodash.webhooks.handlers.store_recovered`): a message already stored, by a
webhook or an earlier pass, is skipped whichever arrived first. The new ones are relayed to
the instance's destinations as their webhooks would have been
(:func:`evodash.webhooks.forwarding.relay_recovered`). Services flush, never
commit; the runner (:mod:`evodash.recovery.runner`) owns the transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.locking import begin_write
from evodash.destinations.service import enabled_for
from evodash.evolution.messages import NotAMessage, WireMessage, found_message_object, parse_message
from evodash.instances.models import EvolutionInstance
from evodash.recovery.errors import RecoveryWindowRefused
from evodash.recovery.models import RecoveryRun, RecoveryStatus, RecoveryTrigger
from evodash.recovery.repository import RecoveryRepository
from evodash.webhooks import forwarding, handlers

log = structlog.get_logger(__name__)

#: A running pass whose heartbeat is older than this was cut short (its process died).
SILENT_AFTER = timedelta(minutes=5)
#: The upper bound of a window: a little after now (phones' clocks run ahead).
UNTIL_SLACK = timedelta(minutes=1)
#: Passes listed per instance.
HISTORY = 20


async def default_since(
    session: AsyncSession, instance: EvolutionInstance, settings: Settings, now: datetime
) -> datetime:
    """The newest message stored for the instance (or when it was added here), minus the
    overlap; never earlier than the lookback limit."""
    newest = await RecoveryRepository(session).newest_message_time(instance.id)
    base = min(newest or instance.created_at, now)
    since = base - timedelta(seconds=settings.recovery_overlap_seconds)
    return max(since, now - timedelta(days=settings.recovery_max_lookback_days))


def check_since(since: datetime, settings: Settings, now: datetime) -> datetime:
    if since > now:
        raise RecoveryWindowRefused("`since` is in the future.")
    if since < now - timedelta(days=settings.recovery_max_lookback_days):
        raise RecoveryWindowRefused(
            f"`since` is more than {settings.recovery_max_lookback_days} days ago "
            "(RECOVERY_MAX_LOOKBACK_DAYS)."
        )
    return since


async def claim(
    session: AsyncSession,
    instance: EvolutionInstance,
    settings: Settings,
    *,
    trigger: RecoveryTrigger,
    since: datetime | None = None,
    requested_by: int | None = None,
) -> RecoveryRun | None:
    """Record a new running pass for ``instance``; ``None`` when one is running already
    (in any process: a partial unique index keeps one per instance)."""
    now = utcnow()
    repo = RecoveryRepository(session)
    await begin_write(session)
    await repo.give_up_silent(instance.id, now - SILENT_AFTER)
    start = (
        check_since(since, settings, now)
        if since is not None
        else await default_since(session, instance, settings, now)
    )
    run = RecoveryRun(
        instance_id=instance.id,
        trigger=trigger.value,
        status=RecoveryStatus.running.value,
        since=start,
        until=now + UNTIL_SLACK,
        requested_by=requested_by,
        started_at=now,
        heartbeat_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(run)
            await session.flush()
    except IntegrityError:
        return None
    return run


def read_records(records: Sequence[object], instance: EvolutionInstance) -> list[WireMessage]:
    """The messages of a page (records that are not messages are skipped and logged)."""
    found: list[WireMessage] = []
    for record in records:
        try:
            if not isinstance(record, dict):
                raise NotAMessage("the record is not an object")
            found.append(parse_message(found_message_object(record), own_jid=instance.owner_jid))
        except NotAMessage as exc:
            log.warning("recovery.record_skipped", instance_id=instance.id, reason=str(exc))
    return found


async def store_page(
    session: AsyncSession,
    settings: Settings,
    run: RecoveryRun,
    messages: Sequence[WireMessage],
    *,
    pages_total: int,
    total: int,
) -> int:
    """Store a page's messages not seen earlier in this pass; the number new here. The
    instance row is locked first, as the applier does, so webhooks of the same instance
    are applied before or after, never interleaved."""
    await begin_write(session)
    stmt = (
        select(EvolutionInstance)
        .where(EvolutionInstance.id == run.instance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    instance = (await session.scalars(stmt)).one_or_none()
    if instance is None or instance.deleted_at is not None:
        raise InstanceGone()
    now = utcnow()
    stored = await handlers.store_recovered(
        session, settings, instance, [(m, now) for m in messages]
    )
    new = len(stored.inserted)
    if new:  # relayed like the webhooks that never came
        destinations = (await enabled_for(session, [instance.id])).get(instance.id, [])
        fresh = [m for m in messages if m.message_id in stored.inserted]
        await forwarding.relay_recovered(session, instance, destinations, fresh, now)
    run.found += len(messages)
    run.new += new
    run.pages_done += 1
    run.pages_total = max(pages_total, run.pages_done)
    if run.total is None:
        run.total = total
    run.heartbeat_at = now
    await session.flush()
    return new


def finish(run: RecoveryRun, error: str | None = None) -> None:
    run.status = (RecoveryStatus.failed if error else RecoveryStatus.succeeded).value
    run.error = error
    run.finished_at = run.heartbeat_at = utcnow()


class InstanceGone(Exception):
    """The instance was deleted while its pass ran."""


async def history(session: AsyncSession, instance_id: int) -> Sequence[RecoveryRun]:
    return await RecoveryRepository(session).latest(instance_id, HISTORY)
