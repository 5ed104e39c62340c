"""A fleet template applied to 50 simulator instances (issue 17's done-when).

Target: the preview, then the apply (``POST /api/bulk-operations`` + ``…/run``) of a
template to 50 instances under 10 s, one result per instance, every change read back
from the simulator.

For each database: ``alembic upgrade head``; ``evodash simulator`` in a process of its
own, with ``--instances`` instances created on it; the same instances (and an operator)
seeded in evodash; a fresh ``evodash run --no-migrate`` (uvicorn, one process). Each run
uses a template whose settings flip from those of the previous run, so every run
changes every instance (settings on Evolution, the webhook's events, the allow-list and
one relay destination). The run is checked: one ``ok`` result per instance, and each
instance's settings on the simulator are the template's.

    .venv/bin/python -m bench.templates                  # SQLite (+ PostgreSQL if set)
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/evodash_bench \\
        .venv/bin/python -m bench.templates              # both; the database is reset
    .venv/bin/python -m bench.templates --runs 1 --no-write

Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import database_urls, load_note, migrate, reset_database, write_section
from bench.servers import ROOT, evodash_process, free_port, serve
from bench.status_sync import SECRET_KEY
from bench.status_sync import seed as seed_rows
from evodash.users.models import Role

TITLE = "Fleet template on 50 instances"
SIM_KEY = "bench-simulator-key-0123456789"
TARGET_SECONDS = 10.0


def simulator(port: int) -> Any:
    argv = [sys.executable, "-m", "evodash.cli", "simulator", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--api-key", SIM_KEY]
    return serve(argv, f"http://127.0.0.1:{port}/", cwd=ROOT)


async def seed(url: str, evolution: str, instances: int) -> str:
    """The instances on the simulator, then here (and an admin); returns a bearer token."""
    async with httpx.AsyncClient(base_url=evolution, headers={"apikey": SIM_KEY}) as sim:
        for n in range(1, instances + 1):
            body = {"instanceName": f"loja-{n:04d}", "integration": "WHATSAPP-BAILEYS"}
            (await sim.post("/instance/create", json=body)).raise_for_status()
    return await seed_rows(url, evolution, instances, api_key=SIM_KEY, role=Role.admin)


def template(run: int) -> dict[str, Any]:
    """A template that changes every instance relative to the previous run's."""
    flip = run % 2 == 0
    return {
        "name": f"bench-{run}",
        "events": ["CALL"] if flip else ["CONTACTS_UPSERT"],
        "settings": {"reject_call": flip, "groups_ignore": not flip, "read_messages": flip},
        "allowed_numbers": [f"+55119876543{run % 10}{n}" for n in range(10)],
        "destinations": [{"name": f"crm-{run}", "url": "https://crm.example.com/hook"}],
    }


@dataclass
class Result:
    database: str
    preview: list[float] = field(default_factory=list)
    apply: list[float] = field(default_factory=list)

    @property
    def total(self) -> list[float]:
        return [p + a for p, a in zip(self.preview, self.apply, strict=True)]

    @property
    def met(self) -> bool:
        return statistics.median(self.total) < TARGET_SECONDS


def one_run(client: httpx.Client, evolution: str, ids: list[int], run: int) -> tuple[float, float]:
    body = template(run)
    created = client.post("/api/templates", json=body)
    created.raise_for_status()
    template_id = created.json()["id"]
    started = time.perf_counter()
    preview = client.post(f"/api/templates/{template_id}/preview", json={"instance_ids": ids})
    preview.raise_for_status()
    previewed = time.perf_counter() - started
    started = time.perf_counter()
    operation = client.post(
        "/api/bulk-operations",
        json={"action": "template", "template_id": template_id, "instance_ids": ids},
    )
    operation.raise_for_status()
    done = client.post(f"/api/bulk-operations/{operation.json()['id']}/run")
    done.raise_for_status()
    applied = time.perf_counter() - started
    result = done.json()
    changing = {i["instance_id"]: i["changes"] for i in preview.json()["items"]}
    problems = []
    if (result["total"], result["succeeded"]) != (len(ids), len(ids)):
        problems.append(f"{result['succeeded']} of {result['total']} applied")
    for item in result["items"]:
        if item["state"] != "ok" or item["changes"] != changing[item["instance_id"]]:
            problems.append(f"instance {item['instance_id']}: {item['state']} {item['detail']}")
    with httpx.Client(base_url=evolution, headers={"apikey": SIM_KEY}, timeout=10) as sim:
        for n in range(1, len(ids) + 1):
            stored = sim.get(f"/settings/find/loja-{n:04d}").json()
            if stored["rejectCall"] != body["settings"]["reject_call"]:
                problems.append(f"loja-{n:04d}: settings not applied")
    if problems:
        raise RuntimeError("the apply went wrong: " + "; ".join(problems[:5]))
    return previewed, applied


def measure(label: str, url: str, args: argparse.Namespace, tmp: Path) -> Result:
    asyncio.run(reset_database(url))
    migrate(url)
    port = free_port()
    evolution = f"http://127.0.0.1:{port}"
    result = Result(label)
    with simulator(port):
        token = asyncio.run(seed(url, evolution, args.instances))
        workdir = tmp / label.lower()
        workdir.mkdir()
        settings = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
        with (
            evodash_process(settings, workdir) as (base, _),
            httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
            ) as client,
        ):
            ids = [i["id"] for i in client.get("/api/instances?page_size=200").json()["items"]]
            for run in range(args.runs):
                previewed, applied = one_run(client, evolution, ids, run)
                result.preview.append(previewed)
                result.apply.append(applied)
                print(
                    f"  run {run + 1}: preview {previewed * 1000:.0f} ms, "
                    f"apply {applied * 1000:.0f} ms"
                )
    return result


def _runs(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:,.0f} ms ("
        + ", ".join(f"{v * 1000:,.0f}" for v in values)
        + ")"
    )


def report(results: list[Result], args: argparse.Namespace, loads: tuple[float, float]) -> str:
    rows = [
        "| database | preview, median (runs) | apply, median (runs) | preview + apply "
        f"(target < {TARGET_SECONDS:.0f} s) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for r in results:
        verdict = "met" if r.met else "**missed**"
        rows.append(
            f"| {r.database} | {_runs(r.preview)} | {_runs(r.apply)} "
            f"| {statistics.median(r.total) * 1000:,.0f} ms ({verdict}) |"
        )
    return (
        f"`python -m bench.templates` ({datetime.now(UTC):%Y-%m-%d}): a template (3 "
        "Evolution settings, webhook events, a 10-number allow-list, one relay destination) "
        f"previewed and applied to {args.instances} instances of `evodash simulator` (its own "
        "process) through `evodash run` (uvicorn, one process, default "
        "`STATUS_SYNC_CONCURRENCY`), over loopback HTTP. Each run's template flips the "
        "previous one's settings, so every instance changes (a `settings/find` per instance "
        "for the preview; `settings/find`, `settings/set` and `webhook/set` for the apply). "
        "Each run is checked: one `ok` result per instance whose changes equal the preview's, "
        "and the simulator holds the new settings.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + load_note(*loads)
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", choices=["auto", "sqlite", "postgresql", "both"], default="auto"
    )
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    before = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory(prefix="evodash-bench-templates-") as tmp:
        for label, url in database_urls(args.database, Path(tmp)):
            print(f"{label}: load average {os.getloadavg()[0]:.1f}")
            results.append(measure(label, url, args, Path(tmp)))
    body = report(results, args, (before, os.getloadavg()[0]))
    print(body)
    if not args.no_write:
        write_section(TITLE, body)
        print("docs/benchmarks.md updated")
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
