"""Helpers shared by the benchmarks: timing statistics and the results file."""

from __future__ import annotations

import os
import re
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


async def timed(fn: Callable[[], Awaitable[object]], runs: int, warmup: int = 5) -> list[float]:
    """Milliseconds per call, after a few warm-up calls."""
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    return (
        f"p50 {statistics.median(samples):.1f} ms, p95 {percentile(samples, 95):.1f} ms, "
        f"max {max(samples):.1f} ms"
    )


def write_section(title: str, body: str) -> None:
    """Replace (or append) the ``## title`` section of docs/benchmarks.md."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = (
        RESULTS.read_text()
        if RESULTS.exists()
        else (
            "# Benchmarks\n\nMeasured by the scripts in `bench/` on one machine in one run "
            "(2 cores, 24 GiB). Targets: `DESIGN.md` §8.\n"
        )
    )
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(section + "\n", text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + section)
    )
    RESULTS.write_text(text)


def migrate(url: str) -> None:
    """``alembic upgrade head`` on ``url`` (its env.py calls asyncio.run(): use a thread)."""
    from evodash.core.migrate import upgrade

    thread = threading.Thread(target=upgrade, args=(url,))
    thread.start()
    thread.join()


async def reset_database(url: str) -> None:
    """Empty a PostgreSQL database (drop and recreate ``public``); SQLite files start new."""
    from sqlalchemy import text

    from evodash.core.db import create_engine

    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def settle(url: str) -> None:
    """Bring a freshly seeded database to the state a running one is in: vacuumed and
    analysed. Seeding through the rollup triggers leaves a dead row version per message
    in the rollup tables, which autovacuum clears within minutes in production; measuring
    before it has run times the seed, not the queries."""
    from sqlalchemy import text

    from evodash.core.db import create_engine

    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE"))
        else:
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


def as_serving_process() -> None:
    """Tune this process's garbage collector as ``evodash run`` does for a serving process
    (in-process benchmarks create the app with ``environment="test"``, which leaves the
    collector at its defaults: a year's report then pays for dozens of collector passes)."""
    from evodash.main import tune_gc

    tune_gc()


def database_urls(choice: str, tmp: Path) -> list[tuple[str, str]]:
    """``(label, url)`` for ``--database sqlite|postgresql|both|auto``; ``auto``: SQLite,
    and PostgreSQL too when ``BENCH_DATABASE_URL`` is set."""
    pg = os.environ.get("BENCH_DATABASE_URL")
    sqlite = ("SQLite", f"sqlite+aiosqlite:///{tmp / 'bench.db'}")
    if choice in ("postgresql", "both") and not pg:
        raise SystemExit("set BENCH_DATABASE_URL=postgresql+asyncpg://… for PostgreSQL")
    wanted = {
        "sqlite": [sqlite],
        "postgresql": [("PostgreSQL", pg or "")],
        "both": [sqlite, ("PostgreSQL", pg or "")],
        "auto": [sqlite] + ([("PostgreSQL", pg)] if pg else []),
    }
    return wanted[choice]


def load_note(before: float, after: float) -> str:
    """One sentence on the machine's load average, with a warning when it was high."""
    cores = os.cpu_count() or 1
    note = (
        f"Load average (1 min) {before:.1f} at the start and {after:.1f} at the end, "
        f"on {cores} cores."
    )
    if max(before, after) > cores * 0.75:
        note += (
            " The machine was busy with other work during the run, so absolute figures "
            "are lower and noisier than on an idle machine; the ratios compare runs made "
            "under the same load."
        )
    return note
