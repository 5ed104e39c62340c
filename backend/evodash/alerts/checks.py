"""What each rule looks at: the subjects whose condition holds now, and since when.

Database rules read facts through the repository. Two rules need the remote side (never
inside a transaction): the zombie rule probes silent ``open`` instances with a call that
needs their WhatsApp connection (``whatsappNumbers`` on the instance's own number), and
the server rule asks each Evolution server for ``GET /``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from evodash.alerts.models import RuleKind, SubjectType
from evodash.alerts.repository import AlertRepository
from evodash.alerts.rules import Rule
from evodash.backups import files as backup_files
from evodash.core.config import Settings
from evodash.core.errors import AppError
from evodash.evolution.errors import EvolutionError
from evodash.evolution.numbers import phone_from_jid
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.jobs.service import INVOICE_KIND
from evodash.servers import service as servers
from evodash.servers.models import EvolutionServer

#: Remote probes at once (zombie probes, server checks).
PROBE_CONCURRENCY = 10
#: Forward attempts older than this do not make a streak.
FORWARD_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class Subject:
    type: SubjectType
    id: int | None
    key: str
    label: str


@dataclass(frozen=True)
class Finding:
    subject: Subject
    #: When the condition started, if the facts say (else: when it was first seen).
    since: datetime | None
    detail: str
    #: The figures behind ``detail``, for the app to say it in the reader's language.
    facts: dict[str, str | int] = field(default_factory=dict)


def instance_subject(instance: EvolutionInstance) -> Subject:
    return Subject(
        SubjectType.instance,
        instance.id,
        f"instance:{instance.id}",
        f"{instance.display_name} ({instance.name})"[:200],
    )


def server_subject(server: EvolutionServer) -> Subject:
    return Subject(SubjectType.server, server.id, f"server:{server.id}", server.name[:200])


def _ago(now: datetime, then: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


# --- database rules ----------------------------------------------------------------------

#: States of an instance that is not connected (``unreachable`` is the server rule's).
_DOWN_STATES = (
    InstanceStatus.close.value,
    InstanceStatus.connecting.value,
    InstanceStatus.refused.value,
)


async def down(repo: AlertRepository, rule: Rule, now: datetime) -> list[Finding]:
    """Instances that were ``open`` and are not now, since they left ``open``."""
    instances = await repo.live_instances(_DOWN_STATES)
    left = await repo.last_transition_at([i.id for i in instances], previous="open")
    return [
        Finding(
            instance_subject(i),
            left[i.id],
            f"Status {i.status} since it left open {_ago(now, left[i.id])} ago",
            {"status": i.status},
        )
        for i in instances
        if i.id in left
    ]


async def connecting(
    repo: AlertRepository, rule: Rule, now: datetime, *, exclude: set[str]
) -> list[Finding]:
    """Instances in ``connecting`` (waiting for their QR code to be scanned, or for
    WhatsApp) since they entered it; those the down rule reports (``exclude``) are left
    to it."""
    instances = await repo.live_instances((InstanceStatus.connecting.value,))
    entered = await repo.last_transition_at([i.id for i in instances], state="connecting")
    findings = []
    for i in instances:
        subject = instance_subject(i)
        if subject.key in exclude:
            continue
        since = entered.get(i.id) or i.updated_at
        findings.append(
            Finding(subject, since, f"Connecting (QR code not scanned) for {_ago(now, since)}")
        )
    return findings


async def flapping(repo: AlertRepository, rule: Rule, now: datetime) -> list[Finding]:
    window = rule.param("window_minutes")
    counts = await repo.transition_counts(
        now - timedelta(minutes=window), rule.param("transitions")
    )
    findings = []
    for instance_id, n in sorted(counts.items()):
        instance = await repo.instance(instance_id)
        if instance is None:
            continue
        findings.append(
            Finding(
                instance_subject(instance),
                None,
                f"{n} transitions in {window} min",
                {"transitions": n, "window_minutes": window},
            )
        )
    return findings


async def forward_failing(repo: AlertRepository, rule: Rule, now: datetime) -> list[Finding]:
    failures = rule.param("failures")
    streaks = await repo.forward_streaks(failures, now - FORWARD_LOOKBACK)
    findings = []
    for instance_id in sorted(streaks):
        instance = await repo.instance(instance_id)
        if instance is None or instance.deleted_at is not None:
            continue
        findings.append(
            Finding(
                instance_subject(instance),
                None,
                f"The last {failures} forward attempts to its forward URL failed",
                {"failures": failures},
            )
        )
    return findings


async def jobs_failing(repo: AlertRepository, rule: Rule, now: datetime) -> list[Finding]:
    window = rule.param("window_minutes")
    failed, succeeded = await repo.job_outcomes(INVOICE_KIND, now - timedelta(minutes=window))
    total = failed + succeeded
    if total < rule.param("min_jobs") or failed * 100 < rule.param("rate_percent") * total:
        return []
    subject = Subject(SubjectType.jobs, None, f"jobs:{INVOICE_KIND}", "Image jobs")
    rate = round(failed * 100 / total)
    detail = f"{failed} of {total} image jobs failed ({rate} %) in {window} min"
    facts: dict[str, str | int] = {
        "failed": failed,
        "total": total,
        "rate_percent": rate,
        "window_minutes": window,
    }
    return [Finding(subject, None, detail, facts)]


#: The one subject of the backup rule: the automatic backups of this deployment.
BACKUPS_SUBJECT = Subject(SubjectType.backups, None, "backups:scheduled", "Automatic backups")


def backup_failed(settings: Settings, rule: Rule, now: datetime) -> list[Finding]:
    """The last automatic backup to ``BACKUP_DIR`` failed (its error file, in that folder
    or in ``DATA_DIR`` when the folder cannot be written, is there until a later one
    succeeds); nothing when automatic backups are not configured."""
    if settings.backup_dir is None or not backup_files.scheduled(settings):
        return []
    failure = backup_files.last_error(settings)
    if failure is None:
        return []
    at, error = failure
    at = min(at, now)  # another process's clock may run ahead of this one
    detail = f"The last automatic backup failed {_ago(now, at)} ago: {error}"[:1000]
    return [
        Finding(BACKUPS_SUBJECT, at, detail, {"error": error[:300], "attempted_at": at.isoformat()})
    ]


# --- remote rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class ZombieCandidate:
    subject: Subject
    instance_id: int
    name: str
    server_id: int
    number: str | None
    silent_since: datetime


async def zombie_candidates(
    repo: AlertRepository, rule: Rule, now: datetime
) -> list[ZombieCandidate]:
    """``open`` instances with no sign of life (an event, their connection, a good
    probe) for the threshold: each needs a probe."""
    instances = await repo.live_instances((InstanceStatus.open.value,))
    ids = [i.id for i in instances]
    events = await repo.last_event_at(ids)
    probes = await repo.probes(ids)
    threshold = timedelta(seconds=rule.param("threshold_seconds"))
    found = []
    for i in instances:
        signs = [i.connected_at, events.get(i.id), getattr(probes.get(i.id), "ok_at", None)]
        last = max((s for s in signs if s is not None), default=i.updated_at)
        if now - last < threshold:
            continue
        number = i.phone_number or phone_from_jid(i.owner_jid)
        found.append(ZombieCandidate(instance_subject(i), i.id, i.name, i.server_id, number, last))
    return found


async def probe_zombies(
    http: httpx.AsyncClient,
    settings: Settings,
    candidates: Sequence[ZombieCandidate],
    server_map: dict[int, EvolutionServer],
) -> dict[int, str | None]:
    """``{instance id: None when WhatsApp answered, else what failed}``."""
    semaphore = asyncio.Semaphore(PROBE_CONCURRENCY)
    timeout = settings.alert_probe_timeout_seconds

    async def one(c: ZombieCandidate) -> tuple[int, str | None]:
        server = server_map.get(c.server_id)
        if server is None:
            return c.instance_id, "its server is gone"
        if c.number is None:
            return c.instance_id, None  # nothing to ask about: cannot tell, do not accuse
        async with semaphore:
            try:
                client = servers.client_for(http, server, settings)
                async with asyncio.timeout(timeout + 1):
                    await client.whatsapp_numbers(c.name, [c.number], read_timeout=timeout)
            except TimeoutError:
                return c.instance_id, f"no answer from WhatsApp within {timeout:g} s"
            except EvolutionError as exc:
                return c.instance_id, exc.detail[:300]
            except AppError as exc:  # the server's key cannot be decrypted
                return c.instance_id, exc.detail[:300]
        return c.instance_id, None

    return dict(await asyncio.gather(*(one(c) for c in candidates)))


def zombie_findings(
    candidates: Sequence[ZombieCandidate], results: dict[int, str | None], now: datetime
) -> list[Finding]:
    return [
        Finding(
            c.subject,
            None,
            f"Evolution says open, no event for {_ago(now, c.silent_since)}, and the "
            f"WhatsApp probe failed: {results[c.instance_id]}",
            {"silent_since": c.silent_since.isoformat(), "error": results[c.instance_id] or ""},
        )
        for c in candidates
        if results.get(c.instance_id) is not None
    ]


async def probe_servers(
    http: httpx.AsyncClient, settings: Settings, server_list: Sequence[EvolutionServer]
) -> dict[int, str | None]:
    """``{server id: None when it answered GET /, else why not}``."""
    semaphore = asyncio.Semaphore(PROBE_CONCURRENCY)
    timeout = settings.alert_probe_timeout_seconds

    async def one(server: EvolutionServer) -> tuple[int, str | None]:
        async with semaphore:
            try:
                client = servers.client_for_url(http, server.base_url, "", settings)
                async with asyncio.timeout(timeout + 1):
                    await client.root()
            except TimeoutError:
                return server.id, f"no answer within {timeout:g} s"
            except EvolutionError as exc:
                return server.id, exc.detail[:300]
        return server.id, None

    return dict(await asyncio.gather(*(one(s) for s in server_list)))


def server_findings(
    server_list: Sequence[EvolutionServer], results: dict[int, str | None]
) -> list[Finding]:
    return [
        Finding(
            server_subject(s), None, f"Unreachable: {results[s.id]}", {"error": results[s.id] or ""}
        )
        for s in server_list
        if results.get(s.id) is not None
    ]


RULE_ORDER = (
    RuleKind.down,
    RuleKind.connecting,
    RuleKind.zombie,
    RuleKind.flapping,
    RuleKind.server_unreachable,
    RuleKind.forward_failing,
    RuleKind.jobs_failing,
    RuleKind.backup_failed,
)
