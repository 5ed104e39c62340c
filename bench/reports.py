"""Reports with 1,000,000 stored messages: every report endpoint over 30 days and over a
year, for all instances and for one, and the dashboard (its total reads the rollup).

Target (issue 16): p95 under 200 ms for each report at 1,000,000 messages on PostgreSQL.

    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/evodash_bench \\
        .venv/bin/python -m bench.reports            # PostgreSQL (the database is reset)
    .venv/bin/python -m bench.reports --messages 200000 --runs 50   # SQLite

Messages come from a pool of ``--senders`` customers (20,000 by default), spread over a
year, with connection events every few hours per instance and 20,000 image jobs. The
rollups are filled by the same triggers as in production (the seed is plain INSERTs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import delete, insert, text, update

from bench.common import (
    as_serving_process,
    load_note,
    percentile,
    settle,
    summary,
    timed,
    write_section,
)
from bench.dashboard import INSTANCES, SECRET, _existing, _migrate, _reset
from bench.dashboard import _seed as seed_base
from evodash.auth.sessions import bearer_token_for
from evodash.core.config import Settings
from evodash.core.db import create_engine
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.main import create_app
from evodash.messages.models import WhatsAppMessage
from evodash.reports.models import UptimeDaily

TARGET_MS = 200.0
DAYS = 365


async def _seed(url: str, total: int, senders: int) -> float:
    # The base seed (server, instances, admin) with no messages, then ours.
    await seed_base(url, 0)
    engine = create_engine(url)
    started = time.perf_counter()
    now = datetime.now(UTC)
    # The instances have existed all year: uptime has a row per day and instance.
    async with engine.begin() as conn:
        await conn.execute(
            update(EvolutionInstance).values(created_at=now - timedelta(days=DAYS + 1))
        )
    rng = random.Random(7)
    pool = [f"55119{rng.randint(10_000_000, 99_999_999)}" for _ in range(senders)]
    table = WhatsAppMessage.__table__
    written, batch = 0, 20_000
    while written < total:
        rows = []
        for n in range(written, min(total, written + batch)):
            phone = pool[int(rng.paretovariate(1.2)) % senders]
            out = rng.random() < 0.3
            rows.append(
                {
                    "instance_id": rng.randint(1, INSTANCES),
                    "message_id": f"3EB0{n:016X}",
                    "remote_jid": f"{phone}@s.whatsapp.net",
                    "sender_phone": None if out else phone,
                    "direction": "out" if out else "in",
                    "from_me": out,
                    "is_group": False,
                    "message_type": "conversation",
                    "text": f"Mensagem {n}",
                    "status": "DELIVERY_ACK",
                    "wa_timestamp": now - timedelta(seconds=rng.uniform(0, DAYS * 86_400)),
                    "is_allowed": rng.random() > 0.1,
                    "raw": {},
                    "created_at": now,
                    "updated_at": now,
                }
            )
        async with engine.begin() as conn:
            await conn.execute(insert(table), rows)
        written += len(rows)
        sys.stdout.write(f"\r  seeded {written:,} / {total:,} messages")
        sys.stdout.flush()
    sys.stdout.write("\n")
    events, jobs = [], []
    for instance in range(1, INSTANCES + 1):
        at = now - timedelta(days=DAYS)
        state = "open"
        while at < now:
            events.append({"instance_id": instance, "state": state, "source": "webhook", "at": at})
            state = "close" if state == "open" else "open"
            at += timedelta(hours=rng.uniform(1, 12) if state == "close" else rng.uniform(0.1, 1))
    for _ in range(20_000):
        created = now - timedelta(seconds=rng.uniform(0, DAYS * 86_400))
        jobs.append(
            {
                "instance_id": rng.randint(1, INSTANCES),
                "kind": "invoice",
                "status": rng.choice(["succeeded"] * 8 + ["failed", "cancelled"]),
                "attempts": 1,
                "max_attempts": 5,
                "run_after": created,
                "progress": 100,
                "created_at": created,
                "updated_at": created,
                "started_at": created,
                "finished_at": created + timedelta(milliseconds=rng.uniform(200, 4000)),
            }
        )
    async with engine.begin() as conn:
        await conn.execute(insert(ConnectionEvent.__table__), events)
        await conn.execute(insert(ImageProcessingJob.__table__), jobs)
        await conn.execute(text("ANALYZE"))
    await engine.dispose()
    return time.perf_counter() - started


async def run(
    url: str, total: int, senders: int, runs: int, data_dir: Path, reuse: bool = False
) -> dict[str, list[float]]:
    if reuse and await _existing(url) == total:
        print("  reusing the seeded database (the uptime cache emptied)")
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(delete(UptimeDaily))
        await engine.dispose()
    else:
        await _reset(url)
        _migrate(url)
        print(f"  seeding took {await _seed(url, total, senders):.0f} s")
    await settle(url)
    settings = Settings(
        _env_file=None,
        environment="test",
        database_url=url,
        data_dir=data_dir,  # type: ignore[call-arg]
        media_root=data_dir / "media",
        secret_key=SECRET,
        bootstrap_admin=False,  # type: ignore[arg-type]
        embedded_worker=False,
        background_tasks=False,
        status_sync_interval_seconds=0,
        log_level="WARNING",
        frontend_dist=data_dir / "none",
    )
    app = create_app(settings)
    results: dict[str, list[float]] = {}
    today = datetime.now(UTC).date()
    month = {"from": str(today - timedelta(days=29)), "to": str(today)}
    year = {"from": str(today - timedelta(days=DAYS - 1)), "to": str(today)}
    async with LifespanManager(app, startup_timeout=120):
        as_serving_process()
        token = await bearer_token_for(
            app.state.sessionmaker, 1, settings, expires_in=timedelta(hours=1)
        )
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"Authorization": f"Bearer {token}"},
        )

        async def get(path: str, **params: object) -> httpx.Response:
            response = await client.get(path, params=params)
            response.raise_for_status()
            return response

        # The first year of uptime computes and keeps every finished day: time it alone.
        cold = time.perf_counter()
        await get("/api/reports/uptime", **year)
        cold_ms = (time.perf_counter() - cold) * 1000
        print(f"  /api/reports/uptime (365 days, first call, fills the cache): {cold_ms:.0f} ms")
        cases = {"GET /api/stats/overview": lambda: get("/api/stats/overview")}
        for report in ("messages", "uptime", "jobs", "hours", "senders"):
            for label, period in (("30 days", month), ("365 days", year)):
                path = f"/api/reports/{report}"
                cases[f"{path} ({label})"] = lambda p=path, q=period: get(p, **q)
            cases[f"{path} (365 days, one instance, São Paulo)"] = lambda p=path: get(
                p, **year, instance_id=7, tz="America/Sao_Paulo"
            )
        cases["/api/reports/messages?format=csv (365 days)"] = lambda: get(
            "/api/reports/messages", **year, format="csv", sep=";"
        )
        for name, fn in cases.items():
            results[name] = await timed(fn, runs)
            print(f"  {name}: {summary(results[name])}")
        await client.aclose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--senders", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database seeded with as many messages"
    )
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.db"
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"reports benchmark on {kind}, {args.messages:,} messages")
        results = asyncio.run(
            run(url, args.messages, args.senders, args.runs, Path(tmp), reuse=args.reuse)
        )
    load_after = os.getloadavg()[0]
    worst = max(percentile(s, 95) for s in results.values())
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    lines = [f"- {name}: {summary(s)}" for name, s in results.items()]
    body = (
        f"`python -m bench.reports --messages {args.messages} --senders {args.senders} "
        f"--runs {args.runs}` ({datetime.now(UTC):%Y-%m-%d}).\n\n"
        + "\n".join(lines)
        + f"\n\nWorst p95 {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target "
        f"(ratio {worst / TARGET_MS:.2f}).\n\n" + load_note(load_before, load_after)
    )
    print(body)
    if not args.no_write:
        write_section(f"Reports, {args.messages:,} messages, {kind}", body)
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
