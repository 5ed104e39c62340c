"""Webhook ingest: Evolution events per second that evodash acknowledges and applies, against
what the same server answers on a trivial endpoint (``GET /healthz``).

Targets (DESIGN §8): ingest at least half the trivial endpoint's rate, on SQLite and on
PostgreSQL, acknowledgement p99 under 50 ms at that rate, every acknowledged event applied
within 2 s after the load stops, nothing lost, nothing duplicated, and a received message
on a browser's WebSocket less than 1 s after its POST.

For each database and each load (``--loads``): a fresh data directory, ``alembic upgrade
head``, one server, one instance with a known webhook secret and one admin user, then
``evodash run --no-migrate`` (uvicorn, one process, as in production) driven over loopback
by ``bench.loadgen`` in another process: ``--connections`` keep-alive connections for
``--seconds``. First ``GET /healthz``, then the webhook load, then ``GET /healthz`` again:
the trivial rate is the mean of the two. The first seconds of each phase are a warm-up,
left out of the rates. Loads:

- ``upsert``: text ``messages.upsert`` events, ``--duplicates`` of them repeating a recent
  id (often while the original is still in flight);
- ``mixed``: 60 % of those, 30 % ``messages.update`` receipts, 10 % ``connection.update``.

Meanwhile a WebSocket client logged in as the admin (session cookie, as a browser) notes
when each ``message.created`` arrives. After the load, the inbox is polled until no event
waits to be applied; then the inbox ids are compared with the ids answered 200 and the
``whatsapp_message`` rows with the unique message ids answered 200.

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
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.common import (
    database_urls,
    load_note,
    migrate,
    percentile,
    reset_database,
    write_section,
)
from bench.servers import ROOT, cpu_seconds, evodash_process, profiled, worker_process
from evodash.core.db import create_engine, create_sessionmaker
from evodash.core.security import encrypt, hash_password, last4
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.instances.webhook_setup import WEBHOOK_EVENTS
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from evodash.users.models import Role, User
from evodash.webhooks.models import WebhookEvent

TITLE = "Webhook ingest"
WORKER_LAYOUT = "applier in an `evodash worker` process"
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
WEBHOOK_SECRET = "whs_bench-webhook-secret-0123456789"
INSTANCE = "bench-ingest"
ADMIN, PASSWORD = "bench-admin", "bench-password-0123"
TARGET = 0.5
ACK_P99_MS = 50.0
APPLIED_WITHIN_S = 2.0
WEBSOCKET_WITHIN_S = 1.0
#: Statuses an event may be left in once applied (``deferred``: waits for its message).
WAITING = ("received",)


def seal_webhook_secret(instance: EvolutionInstance) -> None:
    """Store the benchmark's webhook secret as evodash does (digest and encrypted form);
    a version that stored it in clear has no ``webhook_secret`` module."""
    try:
        from evodash.instances.webhook_secret import seal
    except ImportError:  # the code before the pipeline (for "before" figures)
        instance.webhook_secret = WEBHOOK_SECRET  # type: ignore[attr-defined]
    else:
        seal(instance, WEBHOOK_SECRET, SECRET_KEY)


async def seed(url: str) -> int:
    """One server, one open instance and one admin; returns the instance id."""
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
                webhook_events=list(WEBHOOK_EVENTS),
                allowed_numbers=[],
                reply_with_summary=False,
            )
            seal_webhook_secret(instance)
            session.add(instance)
            session.add(
                User(
                    username=ADMIN,
                    role=Role.admin.value,
                    password_hash=hash_password(PASSWORD),
                    is_active=True,
                )
            )
            await session.commit()
            return instance.id
    finally:
        await engine.dispose()


async def inbox_state(url: str, instance_id: int) -> tuple[list[int], dict[str, int], list[str]]:
    """The instance's inbox event ids, its events per status, and its stored message ids."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            ids = (
                await session.scalars(
                    select(WebhookEvent.id).where(WebhookEvent.instance_id == instance_id)
                )
            ).all()
            rows = await session.execute(
                select(WebhookEvent.status, func.count())
                .where(WebhookEvent.instance_id == instance_id)
                .group_by(WebhookEvent.status)
            )
            messages = (
                await session.scalars(
                    select(WhatsAppMessage.message_id).where(
                        WhatsAppMessage.instance_id == instance_id
                    )
                )
            ).all()
            return list(ids), {s: n for s, n in rows.all()}, list(messages)
    finally:
        await engine.dispose()


async def wait_applied(url: str, instance_id: int, patience: float = 60.0) -> float:
    """Poll until no inbox event of the instance waits to be applied; monotonic end time."""
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + patience
        while True:
            async with create_sessionmaker(engine)() as session:
                waiting = await session.scalar(
                    select(func.count())
                    .select_from(WebhookEvent)
                    .where(
                        WebhookEvent.instance_id == instance_id,
                        WebhookEvent.status.in_(WAITING),
                    )
                )
            if not waiting or time.monotonic() > deadline:
                return time.monotonic()
            await asyncio.sleep(0.02)
    finally:
        await engine.dispose()


class WebSocketWatcher:
    """A browser's realtime connection, in a thread: when each ``message.created`` came."""

    def __init__(self, base: str, cookie: str) -> None:
        self.url = base.replace("http://", "ws://") + "/api/ws"
        self.headers = {"Cookie": cookie, "Origin": base}
        self.seen: dict[str, float] = {}
        self.frames = 0
        self.error: str | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WebSocketWatcher:
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError(f"the WebSocket did not open: {self.error}")
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        from websockets.sync.client import connect

        try:
            with connect(self.url, additional_headers=self.headers, max_size=None) as ws:
                self._ready.set()
                while not self._stop.is_set():
                    try:
                        frame = ws.recv(timeout=0.2)
                    except TimeoutError:
                        continue
                    now = time.monotonic()
                    self.frames += 1
                    event = json.loads(frame)
                    if event.get("type") == "message.created":
                        self.seen.setdefault(event["data"]["message_id"], now)
        except Exception as exc:  # reported with the results
            self.error = f"{type(exc).__name__}: {exc}"
            self._ready.set()


def login(base: str) -> str:
    """The session cookie of the benchmark's admin (``Cookie`` header value)."""
    answer = httpx.post(
        f"{base}/api/auth/login", json={"username": ADMIN, "password": PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return "; ".join(f"{k}={v}" for k, v in answer.cookies.items())


def load(
    url: str, pid: int, args: argparse.Namespace, *, mix: str | None, worker: int | None = None
) -> dict[str, Any]:
    """Run ``bench.loadgen`` in its own process against ``url``; its JSON result, plus
    ``cpu_ms``: the CPU time the server (process ``pid``) spent per request, and
    ``worker_cpu_ms``: the same for the applier's process ``worker`` when there is one."""
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--connections",
        str(args.connections),
        "--seconds",
        str(args.seconds if mix else args.trivial_seconds),
        "--max-requests",
        str(args.max_requests),
        "--warmup",
        str(args.warmup),
    ]
    if mix:
        argv += ["--webhook-secret", WEBHOOK_SECRET, "--instance-name", INSTANCE]
        argv += ["--duplicates", str(args.duplicates), "--mix", mix]
    cpu = cpu_seconds(pid)
    worker_cpu = cpu_seconds(worker) if worker else 0.0
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    cpu = cpu_seconds(pid) - cpu
    worker_cpu = cpu_seconds(worker) - worker_cpu if worker else 0.0
    if done.returncode != 0:
        raise RuntimeError(f"bench.loadgen failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["cpu_ms"] = cpu * 1000 / max(1, result["sent"])
    result["worker_cpu_ms"] = worker_cpu * 1000 / max(1, result["sent"])
    return result


@dataclass
class Outcome:
    label: str
    mix: str
    trivial: list[float]
    trivial_cpu_ms: float
    ingest: dict[str, Any]
    applied_after_s: float
    inbox: dict[str, int]
    lost_events: int
    unexpected_events: int
    unique_ok: int
    stored_rows: int
    stored_unique: int
    missing: int
    unexpected: int
    ws_latencies: list[float] = field(default_factory=list)
    ws_missed: int = 0
    ws_error: str | None = None

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
            self.lost_events == 0
            and self.unexpected_events == 0
            and self.missing == 0
            and self.unexpected == 0
            and self.stored_rows == self.stored_unique == self.unique_ok
            and int(self.ingest["sent"]) == answered
            and not any(self.inbox.get(s) for s in ("received", "failed", "deferred"))
        )

    @property
    def ws_p95(self) -> float:
        return percentile(self.ws_latencies, 95) if self.ws_latencies else float("inf")

    @property
    def met(self) -> bool:
        return (
            self.exact
            and self.ratio >= TARGET
            and float(self.ingest["p99_ms"]) < ACK_P99_MS
            and self.applied_after_s <= APPLIED_WITHIN_S
            and not self.ws_missed
            and self.ws_latencies != []
            and max(self.ws_latencies) < WEBSOCKET_WITHIN_S * 1000
        )


def measure(label: str, url: str, mix: str, args: argparse.Namespace, tmp: Path) -> Outcome:
    workdir = tmp / f"{label.lower()}-{mix}"
    workdir.mkdir()
    if url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"  # a new file for each load
    asyncio.run(reset_database(url))
    migrate(url)
    instance_id = asyncio.run(seed(url))
    settings = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    with ExitStack() as stack:
        worker: int | None = None
        if args.applier == "worker":
            settings |= {"REDIS_URL": args.redis_url, "STATUS_SYNC_INTERVAL_SECONDS": "0"}
            (workdir / "worker").mkdir()
            worker = stack.enter_context(worker_process(settings, workdir / "worker"))
            settings |= {"EMBEDDED_APPLIER": "false"}
        base, pid = stack.enter_context(evodash_process(settings, workdir))
        health = load(f"{base}/healthz", pid, args, mix=None)
        trivial = [health["rate"]]
        print(f"  GET /healthz: {trivial[0]:,.0f} req/s, {health['cpu_ms']:.2f} ms CPU each")
        out = args.profile / f"ingest-{label.lower()}-{mix}.txt" if args.profile else None
        with WebSocketWatcher(base, login(base)) as watcher, profiled(pid, out):
            target = f"{base}/api/webhooks/evolution/{instance_id}"
            ingest = load(target, pid, args, mix=mix, worker=worker)
            applied_at = asyncio.run(wait_applied(url, instance_id))
            time.sleep(0.5)  # the last realtime events are on their way
        applied_after = max(0.0, applied_at - float(ingest["ended_at"]))
        print(
            f"  POST {mix}: {ingest['rate']:,.0f} events/s (p50 {ingest['p50_ms']:.1f} ms, "
            f"p99 {ingest['p99_ms']:.1f} ms, {ingest['cpu_ms']:.2f} ms CPU each"
            + (f" + {ingest['worker_cpu_ms']:.2f} ms in the worker" if worker else "")
            + "), "
            f"{ingest['sent']:,} sent {ingest['kinds']}, statuses {ingest['statuses']}, "
            f"errors {ingest['errors']}, all applied {applied_after:.2f} s after the load"
        )
        trivial.append(load(f"{base}/healthz", pid, args, mix=None)["rate"])
        print(f"  GET /healthz again: {trivial[1]:,.0f} req/s")
    event_ids, inbox, messages = asyncio.run(inbox_state(url, instance_id))
    acked_events = ingest["event_ids"]
    ok_ids = set(ingest["ok_ids"])
    found = set(messages)
    first_sent: dict[str, float] = ingest["first_sent"]
    latencies = [
        (watcher.seen[i] - sent) * 1000 for i, sent in first_sent.items() if i in watcher.seen
    ]
    return Outcome(
        label=label,
        mix=mix,
        trivial=trivial,
        trivial_cpu_ms=health["cpu_ms"],
        ingest=ingest,
        applied_after_s=applied_after,
        inbox=inbox,
        lost_events=len(set(acked_events) - set(event_ids))
        + len(acked_events)
        - len(set(acked_events)),
        unexpected_events=len(set(event_ids) - set(acked_events)),
        unique_ok=len(ok_ids),
        stored_rows=len(messages),
        stored_unique=len(found),
        missing=len(ok_ids - found),
        unexpected=len(found - ok_ids),
        ws_latencies=latencies,
        ws_missed=len(set(first_sent) - set(watcher.seen)),
        ws_error=watcher.error,
    )


def worker_cpu(ingest: dict[str, Any]) -> str:
    """`` (+ 0.52 in the worker)`` when a worker applied the events."""
    spent = float(ingest.get("worker_cpu_ms") or 0.0)
    return f" (+ {spent:.2f} in the worker)" if spent else ""


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(outcomes: list[Outcome], args: argparse.Namespace, loads: tuple[float, float]) -> str:
    rows = [
        "| database | load | GET /healthz (req/s) | events acknowledged (events/s) | ratio "
        "(target ≥ 0.5) | ack latency p50 / p99 (target < 50 ms) | all applied after the "
        "load (target ≤ 2 s) | WebSocket after POST p50 / p95 / max (target < 1 s) "
        "| server CPU per request, healthz / event | events sent (repeated ids) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for o in outcomes:
        i = o.ingest
        ws = (
            f"{percentile(o.ws_latencies, 50):,.0f} / {o.ws_p95:,.0f} / "
            f"{max(o.ws_latencies):,.0f} ms"
            if o.ws_latencies
            else "none seen"
        )
        ws_ok = bool(o.ws_latencies) and max(o.ws_latencies) < WEBSOCKET_WITHIN_S * 1000
        rows.append(
            f"| {o.label} | {o.mix} | {o.trivial_rate:,.0f} ({o.trivial[0]:,.0f} before, "
            f"{o.trivial[1]:,.0f} after) | {i['rate']:,.0f} | {o.ratio:.2f} "
            f"({_verdict(o.ratio >= TARGET)}) | {i['p50_ms']:.1f} / {i['p99_ms']:.1f} ms "
            f"({_verdict(i['p99_ms'] < ACK_P99_MS)}) | {o.applied_after_s:.2f} s "
            f"({_verdict(o.applied_after_s <= APPLIED_WITHIN_S)}) | {ws} ({_verdict(ws_ok)}) "
            f"| {o.trivial_cpu_ms:.2f} / {i['cpu_ms']:.2f} ms{worker_cpu(i)} "
            f"| {i['sent']:,} ({i['duplicates_sent']:,}) |"
        )
    checks = []
    for o in outcomes:
        kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(o.ingest["kinds"].items()))
        if o.exact:
            text = (
                f"nothing lost, nothing duplicated: {o.ingest['ok']:,} answers 200 ({kinds}), "
                f"one inbox event per answer, inbox {o.inbox}, one `whatsapp_message` row per "
                f"unique id ({o.unique_ok:,})"
            )
        else:
            text = (
                f"**mismatch**: statuses {o.ingest['statuses']}, errors {o.ingest['errors']}, "
                f"{o.lost_events} acknowledged events missing or repeated, "
                f"{o.unexpected_events} never acknowledged, {o.missing} ids answered 200 "
                f"but not stored, {o.unexpected} stored but never answered 200, "
                f"inbox {o.inbox}"
            )
        if o.ws_missed or o.ws_error:
            text += f"; WebSocket: {o.ws_missed} new messages never seen ({o.ws_error})"
        checks.append(f"- {o.label}, {o.mix}: {text}.")
    cpu = [
        f"{o.label} {o.mix} {o.ingest['cpu_ms'] / o.trivial_cpu_ms:.1f}"
        for o in outcomes
        if o.trivial_cpu_ms
    ]
    return (
        f"`python -m bench.webhook_ingest` ({datetime.now(UTC):%Y-%m-%d}): `evodash run` "
        "(uvicorn, one process) on loopback, driven by `bench.loadgen` in another process "
        f"with {args.connections} keep-alive connections, {args.trivial_seconds:g} s per "
        f"`GET /healthz` phase (before and after) and {args.seconds:g} s of events with "
        f"{args.duplicates:.0%} repeated message ids; rates leave out the first "
        f"{args.warmup:g} s of each phase; one WebSocket client logged in meanwhile. "
        + (
            "The server only checks, stores and acknowledges (`EMBEDDED_APPLIER=false`); an "
            "`evodash worker` process applies the inbox and publishes the realtime events "
            "through Redis, which the server relays to the WebSocket (docker-compose.yml's "
            "layout). "
            if args.applier == "worker"
            else ""
        )
        + f"{os.cpu_count()} cores shared by the server, the load generator, the WebSocket "
        "client and PostgreSQL.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + "\n".join(checks)
        + "\n\nServer CPU per request is the process's user + system time over a phase "
        "divided by its requests (for events it includes applying them); it moves less "
        "with the machine's load than the rates do. An event costs the server as much CPU "
        f"as this many `GET /healthz`: {', '.join(cpu)}.\n\n" + load_note(*loads)
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
    parser.add_argument(
        "--loads", default="upsert,mixed", help="comma-separated: upsert, mixed (see above)"
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
    parser.add_argument(
        "--applier",
        choices=["api", "worker"],
        default="api",
        help="api: the server applies the events it receives (the embedded default); "
        "worker: an `evodash worker` process applies them (EMBEDDED_APPLIER=false, "
        "realtime events through Redis: BENCH_REDIS_URL), as docker-compose.yml runs it",
    )
    parser.add_argument("--profile", type=Path, help="py-spy the server into this directory")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    args.redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    before = os.getloadavg()[0]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="evodash-bench-ingest-") as tmp:
        for label, url in database_urls(args.database, Path(tmp)):
            for mix in args.loads.split(","):
                print(f"{label}, {mix}: load average {os.getloadavg()[0]:.1f}")
                outcomes.append(measure(label, url, mix.strip(), args, Path(tmp)))
    body = report(outcomes, args, (before, os.getloadavg()[0]))
    print(body)
    if not args.no_write:
        write_section(TITLE if args.applier == "api" else f"{TITLE}, {WORKER_LAYOUT}", body)
        print("docs/benchmarks.md updated")
    return 0 if all(o.met for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
