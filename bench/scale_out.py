"""Scaled out on PostgreSQL: webhook ingest and the periodic status sync with 1 and with 3
API processes (``docs/operations.md``, "Scaling out").

**Webhook ingest.** For each layout a fresh database, one server, one instance and an
admin (``bench.webhook_ingest.seed``), then the processes, all ``evodash run --no-migrate``
on loopback plus ``evodash worker`` processes:

- ``1 API``: one process that acknowledges and applies (the default, embedded applier);
- ``1 API + 2 workers`` and ``3 API + 2 workers``: the API processes only check, store and
  acknowledge (``EMBEDDED_APPLIER=false``), the workers apply.

``bench.loadgen`` spreads ``--connections`` keep-alive connections over the API processes:
first ``GET /healthz``, then ``messages.upsert`` events (10 % repeated ids), then
``GET /healthz`` again. Reported: events acknowledged per second against the trivial
endpoint's rate on the same processes (target ≥ 0.5), acknowledgement p50/p99 (target
< 50 ms), how long after the load every event was applied, and that nothing was lost or
duplicated (every acknowledged event in the inbox, applied, one message per unique id).

**Status sync.** 200 instances on ``bench.servers.DelayedEvolution`` (100 ms per call),
``STATUS_SYNC_INTERVAL_SECONDS=2``, 1 and then 3 API processes (every one with background
work, so every one runs a scheduler): the ``connectionState`` calls over ``--sync-seconds``
are counted. One leader probes each instance once per interval: the calls per instance
per interval stay at 1.0 with 3 processes (each process polling on its own made it 3.0).

    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/evodash_bench \\
        .venv/bin/python -m bench.scale_out [--seconds 10] [--no-write]

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
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import load_note, migrate, reset_database, write_section
from bench.servers import (
    ROOT,
    cpu_seconds,
    delayed_evolution_process,
    evodash_process,
    worker_process,
)
from bench.status_sync import seed as seed_sync
from bench.webhook_ingest import (
    INSTANCE,
    SECRET_KEY,
    WEBHOOK_SECRET,
    inbox_state,
    wait_applied,
)
from bench.webhook_ingest import seed as seed_ingest

TITLE = "Scaled out: 1 and 3 API processes on PostgreSQL"
TARGET = 0.5
ACK_P99_MS = 50.0
SYNC_INTERVAL = 2.0


@contextmanager
def deployment(
    settings: Mapping[str, str], workdir: Path, apis: int, workers: int
) -> Iterator[tuple[list[str], list[int]]]:
    """``apis`` API processes and ``workers`` workers; yields the API URLs and every pid."""
    extra = {"EMBEDDED_APPLIER": "false"} if workers else {}
    with ExitStack() as stack:
        urls, pids = [], []
        for i in range(apis):
            folder = workdir / f"api-{i}"
            folder.mkdir()
            url, pid = stack.enter_context(evodash_process({**settings, **extra}, folder))
            urls.append(url)
            pids.append(pid)
        for i in range(workers):
            folder = workdir / f"worker-{i}"
            folder.mkdir()
            pids.append(stack.enter_context(worker_process(settings, folder)))
        yield urls, pids


def load(urls: list[str], path: str, args: argparse.Namespace, *, events: bool) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bench.loadgen", "--connections", str(args.connections)]
    argv += ["--seconds", str(args.seconds), "--warmup", str(args.warmup)]
    for url in urls:
        argv += ["--url", url + path]
    if events:
        argv += ["--webhook-secret", WEBHOOK_SECRET, "--instance-name", INSTANCE]
        argv += ["--duplicates", "0.1", "--mix", "upsert"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.loadgen failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@dataclass
class Ingest:
    layout: str
    trivial: float
    ingest: dict[str, Any]
    applied_after_s: float
    cpu_ms: float
    exact: bool

    @property
    def ratio(self) -> float:
        return float(self.ingest["rate"]) / self.trivial

    @property
    def met(self) -> bool:
        return self.exact and self.ratio >= TARGET and self.ingest["p99_ms"] < ACK_P99_MS


def measure_ingest(
    url: str, layout: str, apis: int, workers: int, args: argparse.Namespace, tmp: Path
) -> Ingest:
    asyncio.run(reset_database(url))
    migrate(url)
    instance_id = asyncio.run(seed_ingest(url))
    workdir = tmp / layout.replace(" ", "").replace("+", "-")
    workdir.mkdir()
    settings = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    with deployment(settings, workdir, apis, workers) as (urls, pids):
        health = [load(urls, "/healthz", args, events=False)["rate"]]
        cpu = sum(cpu_seconds(p) for p in pids)
        ingest = load(urls, f"/api/webhooks/evolution/{instance_id}", args, events=True)
        cpu = sum(cpu_seconds(p) for p in pids) - cpu
        applied_at = asyncio.run(wait_applied(url, instance_id))
        health.append(load(urls, "/healthz", args, events=False)["rate"])
    event_ids, inbox, messages = asyncio.run(inbox_state(url, instance_id))
    acked = ingest["event_ids"]
    exact = (
        set(acked) <= set(event_ids)
        and len(set(acked)) == len(acked)
        and set(messages) == set(ingest["ok_ids"])
        and len(messages) == len(set(messages))
        and not any(inbox.get(s) for s in ("received", "failed", "deferred"))
    )
    result = Ingest(
        layout,
        sum(health) / 2,
        ingest,
        max(0.0, applied_at - float(ingest["ended_at"])),
        cpu * 1000 / max(1, ingest["sent"]),
        exact,
    )
    print(
        f"  {layout}: healthz {result.trivial:,.0f} req/s, events {ingest['rate']:,.0f}/s "
        f"(ratio {result.ratio:.2f}), ack p50 {ingest['p50_ms']:.1f} / p99 "
        f"{ingest['p99_ms']:.1f} ms, applied {result.applied_after_s:.2f} s after, "
        f"{result.cpu_ms:.2f} ms CPU per event (all processes), exact: {exact}"
    )
    return result


@dataclass
class Sync:
    apis: int
    instances: int
    seconds: float
    calls: int

    @property
    def per_interval(self) -> float:
        return self.calls / self.instances / (self.seconds / SYNC_INTERVAL)


def measure_sync(url: str, apis: int, args: argparse.Namespace, tmp: Path) -> Sync:
    asyncio.run(reset_database(url))
    migrate(url)
    with delayed_evolution_process(0.1) as evolution:
        asyncio.run(seed_sync(url, evolution, args.instances))
        workdir = tmp / f"sync-{apis}"
        workdir.mkdir()
        settings = {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET_KEY,
            "STATUS_SYNC_INTERVAL_SECONDS": str(SYNC_INTERVAL),
            "STATUS_SYNC_CONCURRENCY": "50",
        }
        with deployment(settings, workdir, apis, 0):
            time.sleep(args.warmup + SYNC_INTERVAL)  # every process up, a leader chosen
            httpx.delete(f"{evolution}/_stats", timeout=5)
            started = time.monotonic()
            time.sleep(args.sync_seconds)
            stats = httpx.get(f"{evolution}/_stats", timeout=5).json()
            elapsed = time.monotonic() - started
    result = Sync(apis, args.instances, elapsed, stats["calls"].get("instance/connectionState", 0))
    print(
        f"  status sync, {apis} API process(es): {result.calls} connectionState calls for "
        f"{args.instances} instances in {elapsed:.1f} s: {result.per_interval:.2f} per "
        f"instance per {SYNC_INTERVAL:g} s interval"
    )
    return result


def report(
    ingests: list[Ingest], syncs: list[Sync], args: argparse.Namespace, loads: tuple[float, float]
) -> str:
    rows = [
        "| layout | GET /healthz (req/s, all API processes) | events acknowledged (events/s) "
        "| ratio (target ≥ 0.5) | ack p50 / p99 (target < 50 ms) | all applied after the "
        "load | CPU per event (all processes) | nothing lost or duplicated |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for i in ingests:
        p99 = float(i.ingest["p99_ms"])
        rows.append(
            f"| {i.layout} | {i.trivial:,.0f} | {i.ingest['rate']:,.0f} | {i.ratio:.2f} "
            f"({'met' if i.ratio >= TARGET else '**missed**'}) | {i.ingest['p50_ms']:.1f} / "
            f"{p99:.1f} ms ({'met' if p99 < ACK_P99_MS else '**missed**'}) "
            f"| {i.applied_after_s:.2f} s | {i.cpu_ms:.2f} ms | {'yes' if i.exact else '**no**'} |"
        )
    sync_rows = [
        "| API processes | instances | window | connectionState calls | per instance per "
        f"{SYNC_INTERVAL:g} s interval (target at most 1.0) |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in syncs:
        sync_rows.append(
            f"| {s.apis} | {s.instances} | {s.seconds:.1f} s | {s.calls:,} | {s.per_interval:.2f} |"
        )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Run {when} with `python -m bench.scale_out` on PostgreSQL 15 and Redis 7 on loopback, "
        f"{args.connections} connections, {args.seconds:g} s per phase. {load_note(*loads)} "
        "The machine has 2 cores, shared with the load generator and with other work running "
        "at the same time (other helpers' builds and tests): 3 API processes and 2 workers "
        "compete for those 2 cores, so these figures show that nothing is lost or done "
        "twice when scaled out, not the throughput of a machine with a core per process.\n\n"
        + "\n".join(rows)
        + "\n\nThe periodic status sync, one scheduler leader across the processes:\n\n"
        + "\n".join(sync_rows)
        + "\n\nAt most one probe per instance per interval, whatever the number of processes "
        "(each process polling on its own made about 3.0 with three). Below 1.0: a round "
        "that takes longer than the interval on a busy machine delays the next one.\n"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="each load phase")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--instances", type=int, default=200, help="status sync instances")
    parser.add_argument("--sync-seconds", type=float, default=10.0, help="status sync window")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("set BENCH_DATABASE_URL to a PostgreSQL database (it is reset)", file=sys.stderr)
        return 2
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="evodash-scale-") as folder:
        tmp = Path(folder)
        ingests = [
            measure_ingest(url, "1 API", 1, 0, args, tmp),
            measure_ingest(url, "1 API + 2 workers", 1, 2, args, tmp),
            measure_ingest(url, "3 API + 2 workers", 3, 2, args, tmp),
        ]
        syncs = [measure_sync(url, 1, args, tmp), measure_sync(url, 3, args, tmp)]
    body = report(ingests, syncs, args, (before, os.getloadavg()[0]))
    print(body)
    if not args.no_write:
        write_section(TITLE, body)
    ok = all(i.exact for i in ingests) and all(0 < s.per_interval <= 1.1 for s in syncs)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
