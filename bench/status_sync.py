"""Status sync of 500 instances against an Evolution server that answers in 100 ms.

Target (DESIGN §8): under 1.5 x the ideal ``100 ms x ceil(500 / concurrency)``.

For each database: ``alembic upgrade head``, one server and 500 instances seeded (their
webhooks checked recently, so the sync asks ``connectionState`` only, as in steady state),
then for each ``STATUS_SYNC_CONCURRENCY`` a fresh ``evodash run --no-migrate`` (uvicorn,
one process) and ``--runs`` timed ``POST /api/instances/sync`` for all instances, over
loopback HTTP. The Evolution server is ``bench.servers.DelayedEvolution`` in a process of
its own, answering every call after 100 ms. Before each run the instances are set back to
``close``, so every run records 500 transitions to ``open``. Each run is checked: 500
instances synced, one ``connectionState`` call each, never more in flight than the setting.

    .venv/bin/python -m bench.status_sync             # SQLite (+ PostgreSQL if set below)
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/evodash_bench \\
        .venv/bin/python -m bench.status_sync         # both; the database is reset
    .venv/bin/python -m bench.status_sync --concurrency 10 --runs 1 --no-write

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from bench.common import database_urls, load_note, migrate, reset_database, write_section
from bench.servers import ROOT, cpu_seconds, delayed_evolution_process, evodash_process, profiled
from evodash.auth.sessions import bearer_token_for
from evodash.core.config import Settings
from evodash.core.db import create_engine, create_sessionmaker, utcnow
from evodash.core.http import create_http_client
from evodash.core.security import encrypt, hash_password, last4
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.instances.webhook_setup import WEBHOOK_EVENTS
from evodash.servers.models import EvolutionServer
from evodash.users.models import Role, User

TITLE = "Status sync"
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
DEFAULT_CONCURRENCY = 10  # Settings.status_sync_concurrency
TARGET = 1.5


async def seed(
    url: str,
    evolution_url: str,
    instances: int,
    *,
    api_key: str = "delayed-api-key",
    role: Role = Role.operator,
) -> str:
    """One server, ``instances`` instances (``loja-0001``…) and a user with ``role``;
    returns a bearer token (``bench.templates`` seeds the same way)."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            server = EvolutionServer(
                name="bench",
                base_url=evolution_url,
                api_key_encrypted=encrypt(api_key, secret=SECRET_KEY),
                api_key_last4=last4(api_key),
            )
            user = User(
                username="bench",
                password_hash=hash_password("bench-password-0123"),
                role=role.value,
            )
            session.add_all([server, user])
            await session.flush()
            session.add_all(
                EvolutionInstance(
                    server_id=server.id,
                    display_name=f"Loja {n}",
                    name=f"loja-{n:04d}",
                    status=InstanceStatus.close.value,
                    legacy_webhook_secret=f"whs_bench-{n}",  # sealed at startup
                    webhook_events=list(WEBHOOK_EVENTS),
                    webhook_checked_at=utcnow(),
                    allowed_numbers=[],
                    reply_with_summary=False,
                )
                for n in range(1, instances + 1)
            )
            await session.commit()
        settings = Settings(_env_file=None, database_url=url, secret_key=SECRET_KEY)  # type: ignore[arg-type]
        token = await bearer_token_for(
            create_sessionmaker(engine), user.id, settings, expires_in=timedelta(hours=2)
        )
    finally:
        await engine.dispose()
    return token


async def close_all(url: str) -> None:
    """Set every instance back to ``close``: each run then records the same transitions."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(EvolutionInstance).values(status=InstanceStatus.close.value))
    finally:
        await engine.dispose()


async def _httpx_calls(evolution: str, concurrency: int, calls: int) -> float:
    """Seconds for ``calls`` connectionState calls, ``concurrency`` at a time, through a
    client built like evodash's shared one (``create_http_client``), and nothing else."""
    async with create_http_client(Settings(_env_file=None)) as http:
        semaphore = asyncio.Semaphore(concurrency)

        async def one(n: int) -> None:
            async with semaphore:
                response = await http.get(f"{evolution}/instance/connectionState/loja-{n}")
                response.raise_for_status()

        await asyncio.gather(*(one(n) for n in range(concurrency)))  # open the connections
        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(calls)))
        return time.perf_counter() - started


def baselines(evolution: str, concurrency: int, calls: int) -> tuple[float, float]:
    """The same calls with nothing but a client: ``bench.loadgen`` (a few microseconds a
    request, in its own process) and a bare httpx client as evodash builds it."""
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        f"{evolution}/instance/connectionState/x",
    ]
    argv += ["--connections", str(concurrency), "--max-requests", str(calls), "--seconds", "120"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True)
    raw = float(json.loads(done.stdout)["seconds"])
    return raw, asyncio.run(_httpx_calls(evolution, concurrency, calls))


@dataclass
class Level:
    database: str
    concurrency: int
    instances: int
    delay: float
    seconds: list[float]
    server_ms: list[float]
    cpu_ms: list[float]  # the evodash process's CPU time per instance synced
    max_in_flight: int
    raw_client: float | None = None  # the same calls from bench.loadgen
    httpx_client: float | None = None  # the same calls from a bare httpx client

    @property
    def ideal(self) -> float:
        return self.delay * math.ceil(self.instances / self.concurrency)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def ratio(self) -> float:
        return self.median / self.ideal

    @property
    def met(self) -> bool:
        return self.ratio < TARGET


def one_run(
    client: httpx.Client, evolution: str, instances: int, concurrency: int
) -> tuple[float, float, int]:
    """One timed sync of every instance: (seconds, the server's duration_ms, most calls
    in flight on the Evolution side); checks the outcome."""
    httpx.delete(f"{evolution}/_stats", timeout=5)
    started = time.perf_counter()
    response = client.post("/api/instances/sync", json={})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    report: dict[str, Any] = response.json()
    stats = httpx.get(f"{evolution}/_stats", timeout=5).json()
    calls = stats["calls"].get("instance/connectionState", 0)
    in_flight = stats["max_in_flight"].get("instance/connectionState", 0)
    problems = []
    if (report["total"], report["succeeded"]) != (instances, instances):
        problems.append(f"{report['succeeded']} of {report['total']} synced")
    if not all(item["status"] == "open" and item["changed"] for item in report["items"]):
        problems.append("some instances did not become open")
    if calls != instances or "webhook/find" in stats["calls"]:
        problems.append(f"calls: {stats['calls']}")
    if in_flight > concurrency:
        problems.append(f"{in_flight} calls in flight with concurrency {concurrency}")
    if problems:
        raise RuntimeError("the sync went wrong: " + "; ".join(problems))
    return elapsed, float(report["duration_ms"]), in_flight


def measure(label: str, url: str, args: argparse.Namespace, tmp: Path) -> list[Level]:
    levels = []
    asyncio.run(reset_database(url))
    migrate(url)
    with delayed_evolution_process(args.delay) as evolution:
        token = asyncio.run(seed(url, evolution, args.instances))
        for concurrency in args.concurrency:
            workdir = tmp / f"{label.lower()}-{concurrency}"
            workdir.mkdir()
            settings = {
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET_KEY,
                "STATUS_SYNC_CONCURRENCY": str(concurrency),
            }
            level = Level(label, concurrency, args.instances, args.delay, [], [], [], 0)
            out = args.profile / f"sync-{label.lower()}-{concurrency}.txt" if args.profile else None
            with (
                evodash_process(settings, workdir) as (base, pid),
                httpx.Client(
                    base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300
                ) as client,
            ):
                # The first request builds FastAPI's routes: keep it out of the timing.
                client.post("/api/instances/sync", json={"instance_ids": []}).raise_for_status()
                for _ in range(args.runs):
                    asyncio.run(close_all(url))
                    cpu = cpu_seconds(pid)
                    with profiled(pid, out if out and not out.exists() else None):
                        seconds, server_ms, in_flight = one_run(
                            client, evolution, args.instances, concurrency
                        )
                    level.cpu_ms.append((cpu_seconds(pid) - cpu) * 1000 / args.instances)
                    level.seconds.append(seconds)
                    level.server_ms.append(server_ms)
                    level.max_in_flight = max(level.max_in_flight, in_flight)
            if args.baseline:
                level.raw_client, level.httpx_client = baselines(
                    evolution, concurrency, args.instances
                )
            print(
                f"  concurrency {concurrency}: "
                + ", ".join(f"{s * 1000:.0f}" for s in level.seconds)
                + f" ms (ideal {level.ideal * 1000:.0f} ms, ratio {level.ratio:.2f}, "
                f"at most {level.max_in_flight} calls in flight, "
                f"{statistics.median(level.cpu_ms):.1f} ms of server CPU per instance)"
                + (
                    f"; the same calls from a bare client: {level.raw_client * 1000:.0f} ms, "
                    f"from a bare httpx client: {level.httpx_client * 1000:.0f} ms"
                    if level.raw_client is not None and level.httpx_client is not None
                    else ""
                )
            )
            levels.append(level)
    return levels


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.0f} ms"


def report(levels: list[Level], args: argparse.Namespace, loads: tuple[float, float]) -> str:
    rows = [
        "| database | concurrency | ideal | sync, median of runs (each run) | server's "
        "`duration_ms` (median) | ratio to ideal (target < 1.5) | most calls in flight "
        "| server CPU per instance | same calls, bare client / bare httpx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for lv in levels:
        default = " (default)" if lv.concurrency == DEFAULT_CONCURRENCY else ""
        verdict = "met" if lv.met else "**missed**"
        runs = ", ".join(f"{s * 1000:,.0f}" for s in lv.seconds)
        rows.append(
            f"| {lv.database} | {lv.concurrency}{default} | {lv.ideal * 1000:,.0f} ms "
            f"| {lv.median * 1000:,.0f} ms ({runs}) | {statistics.median(lv.server_ms):,.0f} ms "
            f"| {lv.ratio:.2f} ({verdict}) | {lv.max_in_flight} "
            f"| {statistics.median(lv.cpu_ms):.1f} ms | {_ms(lv.raw_client)} / "
            f"{_ms(lv.httpx_client)} |"
        )
    return (
        f"`python -m bench.status_sync` ({datetime.now(UTC):%Y-%m-%d}): "
        f"`POST /api/instances/sync` for all {args.instances} instances over loopback HTTP "
        "to `evodash run` (uvicorn, one process; restarted for each "
        "`STATUS_SYNC_CONCURRENCY`), against `bench.servers.DelayedEvolution` in its own "
        f"process answering every call after {args.delay * 1000:.0f} ms. Steady state: "
        "webhooks checked recently, so one `connectionState` call per instance; every "
        "instance goes from `close` to `open` in each run (a transition row and an event "
        f"each). {args.runs} runs per level, after one untimed request. Ideal: "
        f"`{args.delay * 1000:.0f} ms x ceil({args.instances} / concurrency)`. The last "
        "column makes the same calls at the same concurrency with nothing but a client: "
        "`bench.loadgen` (raw sockets, its own process) and a bare `httpx.AsyncClient` built "
        "by `create_http_client`, as evodash's shared client is.\n\n"
        + "\n".join(rows)
        + "\n\n"
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
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.1, help="Evolution's answer time (s)")
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[DEFAULT_CONCURRENCY, 25, 50],
        help="comma-separated STATUS_SYNC_CONCURRENCY values (default: 10,25,50)",
    )
    parser.add_argument("--runs", type=int, default=2, help="timed syncs per concurrency")
    parser.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the same calls from a bare client and a bare httpx client",
    )
    parser.add_argument(
        "--profile", type=Path, help="py-spy the first run of each level into this directory"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    before = os.getloadavg()[0]
    levels: list[Level] = []
    with tempfile.TemporaryDirectory(prefix="evodash-bench-sync-") as tmp:
        for label, url in database_urls(args.database, Path(tmp)):
            print(f"{label}: load average {os.getloadavg()[0]:.1f}")
            levels += measure(label, url, args, Path(tmp))
    body = report(levels, args, (before, os.getloadavg()[0]))
    print(body)
    if not args.no_write:
        write_section(TITLE, body)
        print("docs/benchmarks.md updated")
    return 0 if all(lv.met for lv in levels) else 1


if __name__ == "__main__":
    raise SystemExit(main())
