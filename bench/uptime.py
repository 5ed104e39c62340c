"""Rolling uptime for 1,000 instances: the fleet figures (the dashboard), the list
column (a page of 20 and the largest request, 200 ids) and one instance's 30-day
timeline, with 90 days of connection history (most instances change state a few times a
day, one in twenty flaps every few minutes).

Target: p95 under 200 ms for each, on PostgreSQL.

    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/evodash_bench \\
        .venv/bin/python -m bench.uptime            # PostgreSQL (the database is reset)
    .venv/bin/python -m bench.uptime --runs 20      # SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import insert, text

from bench.common import (
    as_serving_process,
    migrate,
    percentile,
    reset_database,
    settle,
    summary,
    timed,
    write_section,
)
from bench.dashboard import SECRET
from evodash.auth.sessions import bearer_token_for
from evodash.core.config import Settings
from evodash.core.db import create_engine
from evodash.core.security import hash_password
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.main import create_app

TARGET_MS = 200.0
DAYS = 90


async def _seed(url: str, instances: int, flappers: int) -> int:
    engine = create_engine(url)
    now = datetime.now(UTC)
    rng = random.Random(14)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO evolution_server (id, name, base_url, api_key_encrypted,"
                " api_key_last4, created_at, updated_at)"
                " VALUES (1, 'bench', 'http://127.0.0.1:9', 'x', 'xxxx', :now, :now)"
            ),
            {"now": now.replace(tzinfo=None)},
        )
        await conn.execute(
            text(
                'INSERT INTO "user" (id, username, password_hash, role, is_active, token_version,'
                " created_at, updated_at) VALUES (1, 'bench', :h, 'admin', true, 0, :now, :now)"
            ),
            {"h": hash_password("bench-password"), "now": now.replace(tzinfo=None)},
        )
        await conn.execute(
            insert(EvolutionInstance.__table__),
            [
                {
                    "id": i,
                    "server_id": 1,
                    "display_name": f"Loja {i}",
                    "name": f"loja-{i}",
                    "status": "open",
                    "webhook_events": [],
                    "allowed_numbers": [],
                    "reply_with_summary": False,
                    "created_at": now - timedelta(days=DAYS + rng.uniform(-60, 0)),
                    "updated_at": now,
                }
                for i in range(1, instances + 1)
            ],
        )
    total = 0
    for first in range(1, instances + 1, 100):
        events = []
        for instance in range(first, min(first + 100, instances + 1)):
            flapping = flappers > 0 and instance % flappers == 0
            at = now - timedelta(days=DAYS)
            state = "open"
            while at < now:
                events.append(
                    {"instance_id": instance, "state": state, "source": "webhook", "at": at}
                )
                if state == "open":
                    state = rng.choice(["close", "connecting", "unreachable"])
                    hours = rng.uniform(0.05, 0.3) if flapping else rng.uniform(2, 16)
                else:
                    state = "open"
                    hours = rng.uniform(0.02, 0.1) if flapping else rng.uniform(0.05, 1)
                at += timedelta(hours=hours)
        async with engine.begin() as conn:
            await conn.execute(insert(ConnectionEvent.__table__), events)
        total += len(events)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE"))
    await engine.dispose()
    return total


async def run(
    url: str, instances: int, flappers: int, runs: int, data_dir: Path
) -> tuple[dict[str, list[float]], int]:
    await reset_database(url)
    migrate(url)
    started = time.perf_counter()
    events = await _seed(url, instances, flappers)
    print(f"  seeded {events:,} connection events in {time.perf_counter() - started:.0f} s")
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

        async def get(path: str, params: list[tuple[str, str | int]] | None = None) -> None:
            response = await client.get(path, params=params)
            response.raise_for_status()

        page = [("instance_id", i) for i in range(1, 21)]
        largest = [("instance_id", i) for i in range(1, 201)]

        async def fleet_cold() -> None:
            app.state.fleet_uptime_cache = None  # computed again: the cost once a minute
            await get("/api/instances/uptime/fleet")

        cases = {
            f"GET /api/instances/uptime/fleet ({instances:,} instances, computed)": fleet_cold,
            "GET /api/instances/uptime/fleet (kept for a minute)": lambda: get(
                "/api/instances/uptime/fleet"
            ),
            "GET /api/instances/uptime (a list page: 20 ids)": lambda: get(
                "/api/instances/uptime", page
            ),
            "GET /api/instances/uptime (200 ids)": lambda: get("/api/instances/uptime", largest),
            "GET /api/instances/{id}/uptime?window=30d (a flapping instance)": lambda: get(
                "/api/instances/20/uptime", [("window", "30d")]
            ),
        }
        for name, fn in cases.items():
            results[name] = await timed(fn, runs, warmup=2)
            print(f"  {name}: {summary(results[name])}")
        await client.aclose()
    return results, events


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--flapping-every", type=int, default=20, help="one instance in N flaps (0: none)"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.db"
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"uptime benchmark on {kind}, {args.instances:,} instances")
        events: list[int] = []
        results, events = asyncio.run(
            run(url, args.instances, args.flapping_every, args.runs, Path(tmp))
        )
    worst = max(percentile(s, 95) for s in results.values())
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    lines = [f"- {name}: {summary(s)}" for name, s in results.items()]
    body = (
        f"`python -m bench.uptime --instances {args.instances} --runs {args.runs} "
        f"--flapping-every {args.flapping_every}` ({datetime.now(UTC):%Y-%m-%d}), {DAYS} days "
        f"of connection history ({events:,} events).\n\n"
        + "\n".join(lines)
        + f"\n\nWorst p95 {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target "
        f"(ratio {worst / TARGET_MS:.2f})."
    )
    print(body)
    if not args.no_write:
        write_section(f"Uptime, {args.instances:,} instances, {kind}", body)
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
