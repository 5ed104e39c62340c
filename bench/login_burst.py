"""Logins under attack: bursts of 40 concurrent wrong passwords from one address.

Target (DESIGN §8, issue 11): meanwhile ``/healthz`` and an authenticated list
(``GET /api/users``) keep p95 under 200 ms, nothing answers 5xx, and another user's right
password still works.

For each database: ``alembic upgrade head``, an ``admin`` and a ``maria`` with production
argon2 hashes, then a fresh ``evodash run --no-migrate`` (uvicorn, one process,
``ENVIRONMENT=production``: production hashing cost). A prober from 127.0.0.3 calls
``/healthz`` and ``/api/users`` every 20 ms; first for a quiet baseline, then during
``--waves`` bursts of 40 concurrent wrong logins (half for ``admin``, half for unknown
names), each burst from a fresh address (127.0.0.2, .4, .5, …: per-address throttling
would otherwise answer the later bursts at once). During the first burst ``maria`` logs
in from the prober's address; after the bursts she and ``admin`` log in again.

    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/evodash_bench \\
        .venv/bin/python -m bench.login_burst              # both; records docs/benchmarks.md
    .venv/bin/python -m bench.login_burst --database sqlite --no-write

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

from bench.common import (
    database_urls,
    load_note,
    migrate,
    percentile,
    reset_database,
    write_section,
)
from bench.servers import evodash_process
from evodash.auth.sessions import bearer_token_for
from evodash.core.config import Settings
from evodash.core.db import create_engine, create_sessionmaker
from evodash.core.security import configure_password_hashing, hash_password
from evodash.users.models import Role, User

TITLE = "Login burst"
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
PASSWORD = "the right password 123"
TARGET_MS = 200.0
BURST = 40


async def seed(url: str) -> str:
    """``admin`` and ``maria`` with production hashes; returns a Bearer token of admin."""
    configure_password_hashing("production")
    engine = create_engine(url)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session:
            hashed = hash_password(PASSWORD)
            admin = User(username="admin", role=Role.admin.value, password_hash=hashed)
            session.add_all(
                [admin, User(username="maria", role=Role.operator.value, password_hash=hashed)]
            )
            await session.commit()
        settings = Settings(_env_file=None, database_url=url, secret_key=SECRET_KEY)  # type: ignore[arg-type]
        return await bearer_token_for(
            sessionmaker, admin.id, settings, expires_in=timedelta(hours=2)
        )
    finally:
        await engine.dispose()


def client_from(base: str, address: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(
        local_address=address, limits=httpx.Limits(max_connections=200)
    )
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=120)


@dataclass
class Probe:
    healthz: list[float] = field(default_factory=list)
    listing: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)


async def probe(client: httpx.AsyncClient, token: str, stop: asyncio.Event, into: Probe) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    async def one(path: str, samples: list[float], **kwargs: object) -> None:
        started = time.perf_counter()
        response = await client.get(path, **kwargs)  # type: ignore[arg-type]
        samples.append((time.perf_counter() - started) * 1000)
        into.statuses[response.status_code] += 1

    while not stop.is_set():
        await asyncio.gather(
            one("/healthz", into.healthz), one("/api/users", into.listing, headers=headers)
        )
        await asyncio.sleep(0.02)


async def login(client: httpx.AsyncClient, username: str, password: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    return response.status_code, (time.perf_counter() - started) * 1000


@dataclass
class Outcome:
    label: str
    baseline: Probe
    attack: Probe
    waves: list[tuple[Counter[int], float]]
    during: tuple[int, float]
    after: list[tuple[int, float]]

    def p95(self, samples: list[float]) -> float:
        return percentile(samples, 95)

    @property
    def ok(self) -> bool:
        burst_5xx = any(code >= 500 for counts, _ in self.waves for code in counts)
        probe_5xx = any(code >= 500 for code in self.attack.statuses)
        return (
            not burst_5xx
            and not probe_5xx
            and self.p95(self.attack.healthz) < TARGET_MS
            and self.p95(self.attack.listing) < TARGET_MS
            and self.during[0] == 200
            and all(status == 200 for status, _ in self.after)
        )


async def run(label: str, base: str, token: str, waves: int) -> Outcome:
    async with client_from(base, "127.0.0.3") as prober:
        quiet, stop = Probe(), asyncio.Event()
        task = asyncio.create_task(probe(prober, token, stop, quiet))
        await asyncio.sleep(3)
        stop.set()
        await task

        attack, stop = Probe(), asyncio.Event()
        task = asyncio.create_task(probe(prober, token, stop, attack))
        await asyncio.sleep(0.5)
        results: list[tuple[Counter[int], float]] = []
        during: tuple[int, float] = (0, 0.0)
        for wave in range(waves):
            address = f"127.0.0.{2 if wave == 0 else wave + 3}"
            async with client_from(base, address) as attacker:
                started = time.perf_counter()
                burst = [
                    login(attacker, "admin" if n % 2 else f"ghost{wave}-{n}", f"guess-{n}")
                    for n in range(BURST)
                ]
                if wave == 0:
                    answers = await asyncio.gather(*burst, login(prober, "maria", PASSWORD))
                    during = answers[-1]
                    answers = answers[:-1]
                else:
                    answers = await asyncio.gather(*burst)
                results.append(
                    (
                        Counter(status for status, _ in answers),
                        (time.perf_counter() - started) * 1000,
                    )
                )
        await asyncio.sleep(0.5)
        stop.set()
        await task
        after = [await login(prober, "maria", PASSWORD), await login(prober, "admin", PASSWORD)]
    return Outcome(label, quiet, attack, results, during, after)


def report(outcome: Outcome) -> list[str]:
    p95 = outcome.p95
    waves = "; ".join(
        f"{dict(sorted(counts.items()))} in {ms:.0f} ms" for counts, ms in outcome.waves
    )
    lines = [
        f"| {outcome.label} | quiet | {p95(outcome.baseline.healthz):.1f} | "
        f"{p95(outcome.baseline.listing):.1f} | {len(outcome.baseline.healthz)} | — |",
        f"| {outcome.label} | {len(outcome.waves)} bursts of {BURST} | "
        f"{p95(outcome.attack.healthz):.1f} | {p95(outcome.attack.listing):.1f} | "
        f"{len(outcome.attack.healthz)} | {waves} |",
    ]
    print("\n".join(lines))
    print(
        f"  maria during burst 1: {outcome.during[0]} in {outcome.during[1]:.0f} ms; after: "
        + ", ".join(f"{s} in {ms:.0f} ms" for s, ms in outcome.after)
        + f"; probe statuses {dict(outcome.attack.statuses)}; "
        + ("target met" if outcome.ok else "TARGET MISSED")
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--database", default="auto", choices=["auto", "sqlite", "postgresql", "both"]
    )
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    outcomes: list[Outcome] = []
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="evodash-bench-login-") as tmp_name:
        tmp = Path(tmp_name)
        print("| database | phase | /healthz p95 ms | /api/users p95 ms | probes | login answers |")
        for label, url in database_urls(args.database, tmp):
            asyncio.run(reset_database(url))
            migrate(url)
            token = asyncio.run(seed(url))
            workdir = tmp / label.lower()
            workdir.mkdir()
            with evodash_process({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}, workdir) as (
                base,
                _,
            ):
                outcome = asyncio.run(run(label, base, token, args.waves))
            outcomes.append(outcome)
            rows += report(outcome)
    note = load_note(load_before, os.getloadavg()[0])
    if not args.no_write:
        after = "; ".join(
            f"{o.label}: maria logged in during the first burst "
            f"({o.during[0]}, {o.during[1]:.0f} ms) and after "
            f"({', '.join(f'{s}, {ms:.0f} ms' for s, ms in o.after)})"
            for o in outcomes
        )
        write_section(
            TITLE,
            "`bench/login_burst.py`: bursts of 40 concurrent wrong passwords from one "
            "address (each burst from a fresh address) against one `evodash run` process "
            "with production argon2 cost, while a prober from another address calls "
            "`/healthz` and `GET /api/users` every 20 ms. Target: p95 under "
            f"{TARGET_MS:.0f} ms, no 5xx, another user's right password works.\n\n"
            "| database | phase | /healthz p95 ms | /api/users p95 ms | probes | login answers |\n"
            "| --- | --- | ---: | ---: | ---: | --- |\n"
            + "\n".join(rows)
            + f"\n\n{after}. {note}\n",
        )
    raise SystemExit(0 if all(o.ok for o in outcomes) else 1)


if __name__ == "__main__":
    main()
