"""One pass of the alert checks: a periodic task of the one scheduler (so it runs once
across all processes, in the leader; see :mod:`evodash.schedule`).

A pass reads the facts (one short read transaction), asks the remote side what only it
can tell (zombie probes, server checks; no transaction open), then reconciles the alerts
in one write transaction: each rule's findings open a *pending* alert per subject, which
*fires* once its condition held for the rule's hold time; an alert whose condition is
gone *resolves* (a pending one is just dropped). The unique index on active alerts keeps
one alert per (rule, subject) even if two passes ever raced. After the commit, the
notices go to every channel at once, and each channel's result is recorded.

Notices: ``fired``; ``repeat`` at most every ``ALERT_REPEAT_SECONDS`` while it fires and
nobody acknowledged it; ``resolved``. A silenced alert sends none until its silence ends
(and a new alert of the same rule and subject inherits a running silence). Browsers hear
of every change through the realtime events whatever the silences.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.alerts import channels, checks
from evodash.alerts.checks import Finding
from evodash.alerts.models import Alert, AlertDelivery, AlertProbe, AlertState, NoticeKind, RuleKind
from evodash.alerts.repository import AlertRepository
from evodash.alerts.rules import Rule, effective
from evodash.alerts.schemas import AlertRead
from evodash.core.db import utcnow
from evodash.core.services import Services
from evodash.realtime import emit
from evodash.realtime.events import AlertFiredEvent, AlertResolvedEvent

log = structlog.get_logger(__name__)


@dataclass
class PassReport:
    fired: list[int] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    deliveries: int = 0
    failed_deliveries: int = 0


async def load_rules(repo: AlertRepository, services: Services) -> dict[RuleKind, Rule]:
    rows = await repo.rules()
    return {k: effective(k, rows.get(k.value), services.settings) for k in RuleKind}


async def _findings(
    services: Services, now: datetime
) -> tuple[dict[RuleKind, Rule], dict[RuleKind, list[Finding]], dict[int, str | None]]:
    """Every enabled rule's findings; and the zombie probes' results (to remember)."""
    found: dict[RuleKind, list[Finding]] = {}
    async with services.sessionmaker() as session:
        repo = AlertRepository(session)
        rules = await load_rules(repo, services)
        on = {k for k, r in rules.items() if r.enabled}
        if RuleKind.down in on:
            found[RuleKind.down] = await checks.down(repo, rules[RuleKind.down], now)
        if RuleKind.connecting in on:
            exclude = {f.subject.key for f in found.get(RuleKind.down, [])}
            found[RuleKind.connecting] = await checks.connecting(
                repo, rules[RuleKind.connecting], now, exclude=exclude
            )
        if RuleKind.flapping in on:
            found[RuleKind.flapping] = await checks.flapping(repo, rules[RuleKind.flapping], now)
        if RuleKind.forward_failing in on:
            found[RuleKind.forward_failing] = await checks.forward_failing(
                repo, rules[RuleKind.forward_failing], now
            )
        if RuleKind.jobs_failing in on:
            found[RuleKind.jobs_failing] = await checks.jobs_failing(
                repo, rules[RuleKind.jobs_failing], now
            )
        candidates = (
            await checks.zombie_candidates(repo, rules[RuleKind.zombie], now)
            if RuleKind.zombie in on
            else []
        )
        server_list = list(await repo.servers())
    if RuleKind.backup_failed in on:  # a file in BACKUP_DIR: read off the event loop
        found[RuleKind.backup_failed] = await asyncio.to_thread(
            checks.backup_failed, services.settings, rules[RuleKind.backup_failed], now
        )
    # The remote side, with no transaction open.
    server_map = {s.id: s for s in server_list}
    probes: dict[int, str | None] = {}
    if RuleKind.zombie in on:
        probes = await checks.probe_zombies(
            services.http, services.settings, candidates, server_map
        )
        found[RuleKind.zombie] = checks.zombie_findings(candidates, probes, now)
    if RuleKind.server_unreachable in on:
        results = await checks.probe_servers(services.http, services.settings, server_list)
        found[RuleKind.server_unreachable] = checks.server_findings(server_list, results)
    return rules, found, probes


def _notify(alert: Alert, now: datetime) -> bool:
    return alert.silenced_until is None or alert.silenced_until <= now


def _repeat_due(alert: Alert, now: datetime, every: int) -> bool:
    if every <= 0 or alert.acked_at is not None or not _notify(alert, now):
        return False
    last = alert.last_notified_at or alert.fired_at or now
    return now - last >= timedelta(seconds=every)


async def _reconcile(
    session: AsyncSession,
    kind: RuleKind,
    rule: Rule,
    findings: list[Finding],
    now: datetime,
    repeat_every: int,
) -> list[tuple[NoticeKind, Alert]]:
    """Open, fire, repeat and resolve the alerts of one rule; the notices to send."""
    repo = AlertRepository(session)
    active = await repo.active(kind.value)
    changes: list[tuple[NoticeKind, Alert]] = []
    for finding in findings:
        subject = finding.subject
        alert = active.pop(subject.key, None)
        if alert is None:
            alert = Alert(
                rule=kind.value,
                subject_type=subject.type.value,
                subject_id=subject.id,
                subject_key=subject.key,
                subject_label=subject.label,
                state=AlertState.pending.value,
                started_at=finding.since or now,
                silenced_until=await repo.silenced_until(kind.value, subject.key, now),
            )
            session.add(alert)
        alert.last_checked_at, alert.detail = now, finding.detail
        alert.facts = dict(finding.facts)
        held = (now - alert.started_at).total_seconds() >= rule.hold_seconds
        if alert.state == AlertState.pending.value and held:
            alert.state, alert.fired_at = AlertState.firing.value, now
            changes.append((NoticeKind.fired, alert))
        elif alert.state == AlertState.firing.value and _repeat_due(alert, now, repeat_every):
            changes.append((NoticeKind.repeat, alert))
    for alert in active.values():
        if alert.state == AlertState.pending.value:
            await session.delete(alert)
            continue
        alert.state, alert.resolved_at, alert.last_checked_at = AlertState.resolved.value, now, now
        if not rule.enabled:
            alert.detail = f"{alert.detail or ''} (rule turned off)".strip()
            alert.facts = {**(alert.facts or {}), "rule_off": 1}
        changes.append((NoticeKind.resolved, alert))
    return changes


async def _store_probes(
    session: AsyncSession, probes: dict[int, str | None], now: datetime
) -> None:
    existing = await AlertRepository(session).probes(list(probes))
    for instance_id, error in probes.items():
        row = existing.get(instance_id)
        if row is None:
            row = AlertProbe(instance_id=instance_id)
            session.add(row)
        if error is None:
            row.ok_at, row.error = now, None
        else:
            row.failed_at, row.error = now, error


async def run_checks(services: Services, *, now: datetime | None = None) -> PassReport:
    """One pass over every rule (``now``: a fake clock in tests)."""
    now = now or utcnow()
    report = PassReport()
    rules, found, probes = await _findings(services, now)
    notices: list[tuple[NoticeKind, AlertRead]] = []
    async with services.sessionmaker() as session:
        await _store_probes(session, probes, now)
        repeat_every = services.settings.alert_repeat_seconds
        for kind in checks.RULE_ORDER:
            changes = await _reconcile(
                session, kind, rules[kind], found.get(kind, []), now, repeat_every
            )
            await session.flush()
            for notice, alert in changes:
                read = AlertRead.model_validate(alert)
                if notice is NoticeKind.fired:
                    emit(session, AlertFiredEvent(data=read))
                    report.fired.append(alert.id)
                elif notice is NoticeKind.resolved:
                    emit(session, AlertResolvedEvent(data=read))
                    report.resolved.append(alert.id)
                else:
                    report.repeated.append(alert.id)
                if _notify(alert, now):
                    alert.last_notified_at, alert.notifications = now, alert.notifications + 1
                    notices.append((notice, AlertRead.model_validate(alert)))
        await session.commit()
    if notices:
        await send_notices(services, notices, now, report)
    if report.fired or report.resolved:
        log.info("alerts.pass", fired=report.fired, resolved=report.resolved)
    return report


async def send_notices(
    services: Services,
    notices: list[tuple[NoticeKind, AlertRead]],
    now: datetime,
    report: PassReport,
) -> None:
    """Send every notice to every channel (all at once), then record the results."""
    settings = services.settings
    async with services.sessionmaker() as session:
        repo = AlertRepository(session)
        targets = await channels.targets(
            session, services.http, settings, await repo.channels(enabled_only=True)
        )
    if not targets:
        return
    rows: list[AlertDelivery] = []
    for kind, alert in notices:
        notice = channels.Notice(kind, alert, settings.public_base_url, now)
        results = await channels.deliver(targets, notice, settings.alert_channel_timeout_seconds)
        for target, result in zip(targets, results, strict=True):
            rows.append(
                AlertDelivery(
                    alert_id=alert.id,
                    channel_id=target.channel_id,
                    channel=target.label[:200],
                    notice=kind.value,
                    ok=result.ok,
                    error=result.error,
                    ms=result.ms,
                    at=now,
                )
            )
            report.deliveries += 1
            report.failed_deliveries += 0 if result.ok else 1
            if not result.ok:
                log.warning(
                    "alerts.delivery_failed",
                    channel=target.label,
                    alert=alert.id,
                    error=result.error,
                )
    async with services.sessionmaker() as session:
        session.add_all(rows)
        await session.commit()


async def scheduled_checks(services: Services) -> PassReport:
    """The periodic task (``ALERT_CHECK_INTERVAL_SECONDS``)."""
    return await run_checks(services)
