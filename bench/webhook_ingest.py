"""Webhook ingest: text ``messages.upsert`` events per second that evodash stores, against
what the same server answers on a trivial endpoint (``GET /healthz``).

Target (DESIGN §8): ingest at least half the trivial endpoint's rate, on SQLite and on
PostgreSQL; nothing lost, nothing duplicated.

For each database: a fresh data directory, ``alembic upgrade head``, one server and one
instance seeded with a known webhook secret, then ``evodash run --no-migrate`` (uvicorn,
one process, as in production) driven over loopback by ``bench.loadgen`` in another
process: ``--connections`` keep-alive connections for ``--seconds``. First ``GET /healthz``,
then the webhook (``--duplicates`` of the events repeat a recent id, often while the
original is still in flight), then ``GET /healthz`` again: the trivial rate is the mean of
the two. The first seconds of each phase are a warm-up, left out of the rates. Finally the
``whatsapp_message`` rows are compared with the unique ids that were answered 200.

    .venv/bin/python -m bench.webhook_ingest          # SQLite (+ PostgreSQL if set below)
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/evodash_bench \\
        .venv/bin/python -m bench.webhook_ingest      # both; the database is reset
    .venv/bin/python -m bench.webhook_ingest --database sqlite --seconds 10 --no-write
    .venv/bin/python -m bench.webhook_ingest --profile /tmp/prof   # py-spy the server

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import database_urls, load_note, migrate, reset_database, write_section
from bench.servers import ROOT, cpu_seconds, evodash_process, profiled
from evodash.core.db import create_engine, create_sessionmaker
from evodash.core.security import encrypt, last4
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.instances.webhook_setup import WEBHOOK_EVENTS
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from evodash.webhooks.models import WebhookEvent

TITLE = "Webhook ingest"
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
WEBHOOK_SECRET = "whs_bench-webhook-secret-0123456789"
INSTANCE = "bench-ingest"
TARGET = 0.5


async def seed(url: str) -> int:
    """One server and one open instance; returns the instance id."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            server = EvolutionServer(
                name="bench",
                base_url="http://127.0.0.1:9",
                api_key_encrypted=encrypt("bench-api-key", secret=SECRET_KEY),
                api_key_last4=last4("bench-api-key"),
            )
            session.add(server)
            await session.flush()
            instance = EvolutionInstance(
                server_id=server.id,
                display_name="Bench ingest",
                name=INSTANCE,
                status=InstanceStatus.open.value,
                webhook_secret=WEBHOOK_SECRET,
                webhook_events=list(WEBHOOK_EVENTS),
                allowed_numbers=[],
                reply_with_summary=False,
            )
            session.add(instance)
            await session.commit()
            return instance.id
    finally:
        await engine.dispose()


async def stored(url: str, instance_id: int) -> tuple[list[str], dict[str, int]]:
    """The stored message ids of the instance, and its inbox events per status."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            ids = (
                await session.scalars(
                    select(WhatsAppMessage.message_id).where(
                        WhatsAppMessage.instance_id == instance_id
                    )
                )
            ).all()
            rows = await session.execute(
                select(WebhookEvent.status, func.count())
                .where(WebhookEvent.instance_id == instance_id)
                .group_by(WebhookEvent.status)
            )
            return list(ids), {status: count for status, count in rows.all()}
    finally:
        await engine.dispose()


def load(url: str, pid: int, args: argparse.Namespace, *, webhook: bool) -> dict[str, Any]:
    """Run ``bench.loadgen`` in its own process against ``url``; its JSON result, plus
    ``cpu_ms``: the CPU time the server (process ``pid``) spent per request."""
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--connections",
        str(args.connections),
        "--seconds",
        str(args.seconds if webhook else args.trivial_seconds),
        "--max-requests",
        str(args.max_requests),
        "--warmup",
        str(args.warmup),
    ]
    if webhook:
        argv += ["--webhook-secret", WEBHOOK_SECRET, "--instance-name", INSTANCE]
        argv += ["--duplicates", str(args.duplicates)]
    cpu = cpu_seconds(pid)
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    cpu = cpu_seconds(pid) - cpu
    if done.returncode != 0:
        raise RuntimeError(f"bench.loadgen failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["cpu_ms"] = cpu * 1000 / max(1, result["sent"])
    return result


@dataclass
class Outcome:
    label: str
    trivial: list[float]
    trivial_cpu_ms: float
    ingest: dict[str, Any]
    unique_ok: int
    stored_rows: int
    stored_unique: int
    missing: int
    unexpected: int
    inbox: dict[str, int]

    @property
    def trivial_rate(self) -> float:
        return sum(self.trivial) / len(self.trivial)

    @property
    def ratio(self) -> float:
        return float(self.ingest["rate"]) / self.trivial_rate

    @property
    def exact(self) -> bool:
        answered = int(self.ingest["ok"])
        return (
            self.missing == 0
            and self.unexpected == 0
            and self.stored_rows == self.stored_unique == self.unique_ok
            and int(self.ingest["sent"]) == answered
            and self.inbox == {"processed": answered}
        )

    @property
    def met(self) -> bool:
        return self.exact and self.ratio >= TARGET


def measure(label: str, url: str, args: argparse.Namespace, tmp: Path) -> Outcome:
    workdir = tmp / label.lower()
    workdir.mkdir()
    asyncio.run(reset_database(url))
    migrate(url)
    instance_id = asyncio.run(seed(url))
    settings = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    with evodash_process(settings, workdir) as (base, pid):
        health = load(f"{base}/healthz", pid, args, webhook=False)
        trivial = [health["rate"]]
        print(f"  GET /healthz: {trivial[0]:,.0f} req/s, {health['cpu_ms']:.2f} ms CPU each")
        out = args.profile / f"ingest-{label.lower()}.txt" if args.profile else None
        with profiled(pid, out):
            ingest = load(f"{base}/api/webhooks/evolution/{instance_id}", pid, args, webhook=True)
        print(
            f"  POST messages.upsert: {ingest['rate']:,.0f} events/s "
            f"(p50 {ingest['p50_ms']:.1f} ms, p95 {ingest['p95_ms']:.1f} ms, "
            f"{ingest['cpu_ms']:.2f} ms CPU each), "
            f"{ingest['sent']:,} sent, statuses {ingest['statuses']}, errors {ingest['errors']}"
        )
        trivial.append(load(f"{base}/healthz", pid, args, webhook=False)["rate"])
        print(f"  GET /healthz again: {trivial[1]:,.0f} req/s")
    ids, inbox = asyncio.run(stored(url, instance_id))
    ok_ids = set(ingest["ok_ids"])
    found = set(ids)
    return Outcome(
        label=label,
        trivial=trivial,
        trivial_cpu_ms=health["cpu_ms"],
        ingest=ingest,
        unique_ok=len(ok_ids),
        stored_rows=len(ids),
        stored_unique=len(found),
        missing=len(ok_ids - found),
        unexpected=len(found - ok_ids),
        inbox=inbox,
    )


def report(outcomes: list[Outcome], args: argparse.Namespace, loads: tuple[float, float]) -> str:
    rows = [
        "| database | GET /healthz (req/s) | messages.upsert stored (events/s) | ratio "
        "(target ≥ 0.5) | server CPU per request, healthz / ingest | events sent (repeated "
        "ids) | unique ids answered 200 | rows stored | ingest latency p50 / p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for o in outcomes:
        i = o.ingest
        verdict = "met" if o.ratio >= TARGET else "**missed**"
        rows.append(
            f"| {o.label} | {o.trivial_rate:,.0f} ({o.trivial[0]:,.0f} before, "
            f"{o.trivial[1]:,.0f} after) | {i['rate']:,.0f} | {o.ratio:.2f} ({verdict}) "
            f"| {o.trivial_cpu_ms:.2f} / {i['cpu_ms']:.2f} ms "
            f"| {i['sent']:,} ({i['duplicates_sent']:,}) | {o.unique_ok:,} "
            f"| {o.stored_rows:,} | {i['p50_ms']:.1f} / {i['p95_ms']:.1f} ms |"
        )
    checks = [
        f"- {o.label}: "
        + (
            "nothing lost, nothing duplicated: every answer was 200, one inbox event per "
            "request (all `processed`), one `whatsapp_message` row per unique id."
            if o.exact
            else f"**mismatch**: statuses {o.ingest['statuses']}, errors "
            f"{o.ingest['errors']}, {o.missing} ids answered 200 but not stored, "
            f"{o.unexpected} stored but never answered 200, inbox {o.inbox}."
        )
        for o in outcomes
    ]
    cpu = [
        f"{o.label} {o.ingest['cpu_ms'] / o.trivial_cpu_ms:.0f}"
        for o in outcomes
        if o.trivial_cpu_ms
    ]
    return (
        f"`python -m bench.webhook_ingest` ({datetime.now(UTC):%Y-%m-%d}): `evodash run` "
        "(uvicorn, one process) on loopback, driven by `bench.loadgen` in another process "
        f"with {args.connections} keep-alive connections, {args.trivial_seconds:g} s per "
        f"`GET /healthz` phase (before and after) and {args.seconds:g} s of text "
        f"`messages.upsert` events with {args.duplicates:.0%} repeated ids; rates leave out "
        f"the first {args.warmup:g} s of each phase. {os.cpu_count()} cores shared by the "
        "server, the load generator and PostgreSQL.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + "\n".join(checks)
        + "\n\nServer CPU per request is the process's user + system time over a phase "
        "divided by its requests; it moves less with the machine's load than the rates do. "
        "A stored event costs the server as much CPU as this many `GET /healthz`: "
        f"{', '.join(cpu)}; a CPU-bound server cannot ingest faster than that allows.\n\n"
        + load_note(*loads)
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database",
        choices=["auto", "sqlite", "postgresql", "both"],
        default="auto",
        help="auto: SQLite, and PostgreSQL too when BENCH_DATABASE_URL is set",
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=20.0, help="webhook phase length")
    parser.add_argument(
        "--trivial-seconds", type=float, default=8.0, help="each GET /healthz phase"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds left out of a rate")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="per phase, whichever comes first"
    )
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of repeated ids")
    parser.add_argument("--profile", type=Path, help="py-spy the server into this directory")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    before = os.getloadavg()[0]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="evodash-bench-ingest-") as tmp:
        for label, url in database_urls(args.database, Path(tmp)):
            print(f"{label}: load average {os.getloadavg()[0]:.1f}")
            outcomes.append(measure(label, url, args, Path(tmp)))
    body = report(outcomes, args, (before, os.getloadavg()[0]))
    print(body)
    if not args.no_write:
        write_section(TITLE, body)
        print("docs/benchmarks.md updated")
    return 0 if all(o.met for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
