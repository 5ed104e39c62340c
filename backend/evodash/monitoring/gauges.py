"""Fleet figures read from the database at each scrape (the same in every process)."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.alerts.models import Alert, AlertState, RuleKind
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.servers.models import EvolutionServer
from evodash.webhooks.models import EventStatus, WebhookEvent, status_is

#: Inbox states worth watching: waiting to be applied, waiting for a message, failed.
_INBOX_STATES = (EventStatus.received, EventStatus.deferred, EventStatus.failed)


async def read(session: AsyncSession) -> list[GaugeMetricFamily]:
    return [
        await _instances(session),
        await _inbox(session),
        await _jobs_waiting(session),
        await _alerts_firing(session),
    ]


async def _instances(session: AsyncSession) -> GaugeMetricFamily:
    """Every server and every status, zeros included: an alert on ``open == 0`` must not
    meet a missing series."""
    family = GaugeMetricFamily(
        "evodash_instances",
        "Instances (not deleted) by server name and status.",
        labels=["server", "status"],
    )
    servers = (await session.scalars(select(EvolutionServer.name))).all()
    counts = {
        (server, status): n
        for server, status, n in await session.execute(
            select(EvolutionServer.name, EvolutionInstance.status, func.count())
            .join(EvolutionServer, EvolutionServer.id == EvolutionInstance.server_id)
            .where(EvolutionInstance.deleted_at.is_(None))
            .group_by(EvolutionServer.name, EvolutionInstance.status)
        )
    }
    for server in sorted(servers):
        for status in InstanceStatus:
            family.add_metric([server, status.value], counts.get((server, status.value), 0))
    return family


async def _inbox(session: AsyncSession) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "evodash_webhook_inbox_events",
        "Webhook events in the inbox by status: received (waiting to be applied), "
        "deferred (waiting for the message they refer to), failed (replayable).",
        labels=["status"],
    )
    # One count per state, each from its partial index.
    counts = (
        await session.execute(
            select(
                *(
                    select(func.count())
                    .select_from(WebhookEvent)
                    .where(status_is(state))
                    .scalar_subquery()
                    for state in _INBOX_STATES
                )
            )
        )
    ).one()
    for status, count in zip(_INBOX_STATES, counts, strict=True):
        family.add_metric([status.value], count)
    return family


async def _jobs_waiting(session: AsyncSession) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "evodash_jobs_waiting", "Jobs waiting for a worker, by kind.", labels=["kind"]
    )
    rows = await session.execute(
        select(ImageProcessingJob.kind, func.count())
        .where(ImageProcessingJob.status == JobStatus.pending.value)
        .group_by(ImageProcessingJob.kind)
    )
    for kind, n in sorted(rows.all()):
        family.add_metric([kind], n)
    return family


async def _alerts_firing(session: AsyncSession) -> GaugeMetricFamily:
    """Every rule, zeros included (``evodash_alerts_firing{rule="zombie"} 0``)."""
    family = GaugeMetricFamily(
        "evodash_alerts_firing",
        "Alerts of evodash's own rules firing now, by rule.",
        labels=["rule"],
    )
    counts = dict(
        (
            await session.execute(
                select(Alert.rule, func.count())
                .where(Alert.state == AlertState.firing.value)
                .group_by(Alert.rule)
            )
        ).all()
    )
    for rule in RuleKind:
        family.add_metric([rule.value], counts.get(rule.value, 0))
    return family
