"""How fast each main page of the web app shows its data, in a real Chromium.

For each main page (dashboard, instances with 300 and with 1,000 instances, messages with
1,000,000 stored, jobs, servers) a fresh browser context (empty HTTP cache, logged in by
its session cookie; its window first settles on ``about:blank``, so that Chromium's own
toolbar is drawn before the clock starts) opens the page's URL, and the page records:

- **data visible**: milliseconds from the start of the navigation to the frame in which the
  page's primary data is on screen (a ``MutationObserver`` installed before any script
  watches for it, the time is taken in the next animation frame);
- **data request start**: when the request for that data (e.g. ``GET /api/instances``)
  started, from the Resource Timing entries;
- **waterfall depth**: the document is depth 0; a request's depth is one more than the
  deepest document/script/style/fetch request that had finished before it started. The
  data request's depth and the deepest such request before the data was visible.

Two profiles: ``desktop`` (1280x800, no throttling) and ``cpu4x`` (the same with Chromium's
CPU throttled 4x through the DevTools protocol, as Lighthouse does for phones).

    make build                                  # the SPA the backend serves (frontend/dist)
    .venv/bin/python -m bench.spa_timing                          # SQLite in a temp dir
    .venv/bin/python -m bench.spa_timing --sqlite-path /tmp/spa.db  # seed once, reuse
    .venv/bin/python -m bench.spa_timing --title "SPA timing before issue 18" --runs 7

Needs the ``playwright`` Python package (``.venv/bin/pip install playwright``; it uses
Debian's ``/usr/bin/chromium``, nothing is downloaded) and a built ``frontend/dist``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.common import load_note, write_section
from bench.dashboard import _existing, _reset, _seed
from bench.servers import ROOT, evodash_process
from evodash.core.db import create_engine
from evodash.core.migrate import upgrade
from evodash.jobs.models import ImageProcessingJob

SECRET = "bench-secret-key-0123456789-0123456789-0123456789"
USERNAME, PASSWORD = "bench", "bench-password"  # seeded by bench.dashboard._seed
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PROFILES = {"desktop": 1, "cpu4x": 4}
TIMEOUT_S = 30
#: How long a new window is left to draw its own toolbar before the timed navigation.
WINDOW_SETTLE_S = 1.0


@dataclass(frozen=True)
class PageCase:
    name: str
    path: str
    #: A JavaScript expression, true once the page's primary data is in the document.
    visible: str
    #: A substring of the data request's URL (the request the visible data comes from).
    request: str


CASES = {
    "dashboard": PageCase(
        "dashboard", "/", "document.querySelector('dd.stat-card-value')", "/api/stats/overview"
    ),
    "instances": PageCase(
        "instances",
        "/instances",
        "[...document.querySelectorAll('main tbody tr')].some(r => r.textContent.includes('Loja'))",
        "/api/instances?",
    ),
    "messages": PageCase(
        "messages", "/messages", "document.querySelector('.message-row-link')", "/api/messages?"
    ),
    "jobs": PageCase(
        "jobs", "/jobs", "document.querySelector('[data-testid=\"job-row\"]')", "/api/jobs?"
    ),
    "servers": PageCase(
        "servers",
        "/servers",
        "document.querySelector('[data-testid^=\"server-row-\"]')",
        "/api/servers?",
    ),
}

# Installed before any of the page's scripts: records when the data is first on screen.
OBSERVER = """
(() => {
  const visible = () => { try { return Boolean(%s); } catch { return false; } };
  let seen = false;
  const check = () => {
    if (seen || !visible()) return;
    seen = true;
    observer.disconnect();
    requestAnimationFrame(() => { window.__benchVisible = performance.now(); });
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();
"""

# The document and its requests, in milliseconds since the navigation started.
ENTRIES = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const doc = { name: nav.name, type: 'navigation', start: 0, end: nav.responseEnd };
  const rest = performance.getEntriesByType('resource').map((e) => ({
    name: e.name, type: e.initiatorType, start: e.startTime, end: e.responseEnd,
  }));
  return { visible: window.__benchVisible, entries: [doc, ...rest] };
}
"""
CHAIN_TYPES = {"navigation", "script", "link", "fetch", "xmlhttprequest", "css", "other"}


@dataclass
class Sample:
    visible: float
    request_start: float
    request_depth: int
    max_depth: int
    requests: int


@dataclass
class Result:
    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    def span(self, attr: str) -> str:
        values = [getattr(s, attr) for s in self.samples]
        return f"{min(values):,.0f}-{max(values):,.0f}"


def depths(entries: list[dict[str, Any]]) -> list[int]:
    """Each entry's waterfall depth (see the module docstring); entries in start order."""
    order = sorted(range(len(entries)), key=lambda i: entries[i]["start"])
    depth = [0] * len(entries)
    for position, i in enumerate(order):
        if position == 0:
            continue  # the document
        before = [
            depth[j]
            for j in order[:position]
            if entries[j]["type"] in CHAIN_TYPES and entries[j]["end"] <= entries[i]["start"]
        ]
        depth[i] = 1 + max(before, default=0)
    return depth


def analyse(case: PageCase, data: dict[str, Any]) -> Sample:
    entries: list[dict[str, Any]] = data["entries"]
    visible = float(data["visible"])
    level = depths(entries)
    data_requests = [i for i, e in enumerate(entries) if case.request in e["name"]]
    if not data_requests:
        raise RuntimeError(f"{case.name}: no request matching {case.request!r}")
    first = min(data_requests, key=lambda i: entries[i]["start"])
    before_visible = [
        level[i]
        for i, e in enumerate(entries)
        if e["type"] in CHAIN_TYPES and e["end"] <= visible and "/api/ws" not in e["name"]
    ]
    return Sample(
        visible=visible,
        request_start=float(entries[first]["start"]),
        request_depth=level[first],
        max_depth=max(before_visible, default=0),
        requests=sum(1 for e in entries if e["start"] <= visible and e["type"] != "navigation"),
    )


async def seed(url: str, messages: int, reuse: bool) -> None:
    """bench.dashboard's seed (1 server, 20 instances, the bench admin, ``messages``
    messages over 30 days), then up to 300 instances, 5 more servers and 60 jobs."""
    if reuse and await _existing(url) == messages:
        print("  reusing the seeded database")
        thread_run(upgrade, url)  # migrations added since it was seeded
    else:
        await _reset(url)
        thread_run(upgrade, url)
        seconds = await _seed(url, messages)
        print(f"  seeding {messages:,} messages took {seconds:.0f} s")
    engine = create_engine(url)
    now = datetime.now(UTC).replace(tzinfo=None)
    async with engine.begin() as conn:
        servers = (await conn.execute(text("SELECT count(*) FROM evolution_server"))).scalar_one()
        for n in range(servers + 1, 7):
            await conn.execute(
                text(
                    "INSERT INTO evolution_server (id, name, base_url, api_key_encrypted,"
                    " api_key_last4, created_at, updated_at)"
                    " VALUES (:id, :name, :url, 'x', 'xxxx', :now, :now)"
                ),
                {"id": n, "name": f"bench {n}", "url": f"http://127.0.0.{n}:9", "now": now},
            )
        jobs = (
            await conn.execute(select(func.count()).select_from(ImageProcessingJob))
        ).scalar_one()
        if jobs == 0:
            rows = [
                {
                    "instance_id": 1 + n % 20,
                    "status": "succeeded" if n % 4 else "failed",
                    "progress": 100,
                    "error": None if n % 4 else "could not read the image",
                    "created_at": now - timedelta(minutes=n),
                    "updated_at": now - timedelta(minutes=n),
                    "finished_at": now - timedelta(minutes=n),
                }
                for n in range(60)
            ]
            await conn.execute(insert(ImageProcessingJob.__table__), rows)
    await engine.dispose()
    await set_instances(url, 300)


async def set_instances(url: str, total: int) -> None:
    """Add instances ``Loja <n>`` (spread over the servers) until there are ``total``."""
    engine = create_engine(url)
    now = datetime.now(UTC).replace(tzinfo=None)
    async with engine.begin() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM evolution_instance"))).scalar_one()
        statuses = ["open", "open", "close", "connecting"]
        rows = [
            {
                "id": i,
                "server": 1 + i % 6,
                "dn": f"Loja {i}",
                "n": f"loja-{i}",
                "st": statuses[i % 4],
                "now": now,
            }
            for i in range(count + 1, total + 1)
        ]
        if rows:
            await conn.execute(
                text(
                    "INSERT INTO evolution_instance (id, server_id, display_name, name, status,"
                    " webhook_secret, webhook_events, allowed_numbers, reply_with_summary,"
                    " created_at, updated_at) VALUES (:id, :server, :dn, :n, :st, 's', '[]',"
                    " '[]', false, :now, :now)"
                ),
                rows,
            )
    await engine.dispose()


def thread_run(fn: Any, *args: Any) -> None:
    import threading

    thread = threading.Thread(target=fn, args=args)
    thread.start()
    thread.join()


Key = tuple[str, str, str]  # page, profile, build


async def measure(
    bases: dict[str, str], cases: list[tuple[str, PageCase]], profiles: list[str], runs: int
) -> tuple[dict[Key, Result], list[float]]:
    """Each round loads every page in every profile from every build (``bases``: build
    label -> server URL), the builds in turns, so the machine's load weighs on all alike."""
    from playwright.async_api import async_playwright

    results: dict[Key, Result] = {}
    loads: list[float] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        states = {}
        for build, base in bases.items():
            login = await browser.new_context(base_url=base)
            answer = await login.request.post(
                "/api/auth/login", data={"username": USERNAME, "password": PASSWORD}
            )
            if not answer.ok:
                raise RuntimeError(f"login failed: {answer.status} {await answer.text()}")
            states[build] = await login.storage_state()
            await login.close()

        async def once(case: PageCase, profile: str, build: str) -> Sample:
            context = await browser.new_context(
                base_url=bases[build],
                storage_state=states[build],
                viewport={"width": 1280, "height": 800},
            )
            try:
                await context.add_init_script(OBSERVER % case.visible)
                page = await context.new_page()
                # A new context opens a new window, and Chromium draws its own toolbar and
                # omnibox (a WebUI renderer) for it: on 2 cores that work, which a user's
                # open browser did long ago, would be timed as the page's. Let the window
                # settle on about:blank first; the page's own renderer still starts cold.
                await page.goto("about:blank")
                await asyncio.sleep(WINDOW_SETTLE_S)
                if PROFILES[profile] > 1:
                    cdp = await context.new_cdp_session(page)
                    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": PROFILES[profile]})
                await page.goto(case.path, wait_until="commit")
                # Polled from here: the page's CSP forbids what wait_for_function evaluates.
                deadline = time.monotonic() + TIMEOUT_S
                while await page.evaluate("() => window.__benchVisible") is None:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{case.name}: no data after {TIMEOUT_S} s")
                    await asyncio.sleep(0.05)
                if page.url.rstrip("/").endswith("/login") or "/login?" in page.url:
                    raise RuntimeError(f"{case.name}: sent to the login page")
                return analyse(case, await page.evaluate(ENTRIES))
            finally:
                await context.close()

        # One untimed load of every page (the server's and the database's caches).
        for _, case in cases:
            for build in bases:
                await once(case, "desktop", build)
        order = list(bases)
        for round_ in range(runs):
            loads.append(os.getloadavg()[0])
            for label, case in cases:
                for profile in profiles:
                    for build in order:
                        sample = await once(case, profile, build)
                        results.setdefault((label, profile, build), Result()).samples.append(sample)
            order.reverse()  # who goes first changes every round
            print(f"  round {round_ + 1}/{runs} done (load {os.getloadavg()[0]:.1f})")
        loads.append(os.getloadavg()[0])
        await browser.close()
    return results, loads


def table(results: dict[Key, Result], profiles: list[str]) -> str:
    lines = [
        "| page | profile | build | data visible, median (range) | data request starts, median"
        " (range) | data request depth | deepest request before the data | requests before"
        " the data |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (label, profile, build), result in results.items():
        if profile not in profiles:
            continue
        lines.append(
            f"| {label} | {profile} | {build} | {result.median('visible'):,.0f} ms"
            f" ({result.span('visible')}) | {result.median('request_start'):,.0f} ms"
            f" ({result.span('request_start')}) | {result.median('request_depth'):.0f}"
            f" | {result.median('max_depth'):.0f} | {result.median('requests'):.0f} |"
        )
    return "\n".join(lines)


def _shown(path: Path) -> str:
    """A build's directory, relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="loads per page and profile")
    parser.add_argument("--profiles", default="desktop,cpu4x")
    parser.add_argument("--pages", default="dashboard,instances,messages,jobs,servers")
    parser.add_argument("--sqlite-path", help="keep the SQLite database here and reuse it")
    parser.add_argument("--title", default="SPA timing", help="docs/benchmarks.md section")
    parser.add_argument("--note", default="", help="a sentence added to the section")
    parser.add_argument("--dist", type=Path, default=ROOT / "frontend" / "dist")
    parser.add_argument("--label", default="this", help="the name of --dist's build")
    parser.add_argument(
        "--compare", type=Path, help="another build (a dist directory) loaded in turns with it"
    )
    parser.add_argument("--compare-label", default="before")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    args = parser.parse_args()
    profiles = [p for p in args.profiles.split(",") if p]
    pages = [p for p in args.pages.split(",") if p]
    dist = args.dist.resolve()
    builds = {args.label: dist}
    if args.compare:
        builds[args.compare_label] = args.compare.resolve()
    for build_dist in builds.values():
        if not (build_dist / "index.html").is_file():
            raise SystemExit(f"{build_dist}/index.html is missing: run `make build` first")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()

    results: dict[Key, Result] = {}
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sqlite_path = args.sqlite_path or str(workdir / "bench.db")
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{sqlite_path}"
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"SPA timing on {kind}, {args.messages:,} messages, commit {commit}")
        asyncio.run(seed(url, args.messages, reuse=bool(args.sqlite_path)))
        settings = {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "FRONTEND_DIST": str(dist),
            "PUBLIC_BASE_URL": "http://127.0.0.1",
        }
        for instances in (300, 1000):
            asyncio.run(set_instances(url, instances))
            wanted = [
                (f"instances ({instances:,})" if p == "instances" else p, CASES[p])
                for p in pages
                if p == "instances" or instances == 300
            ]
            if not wanted:
                continue
            with ExitStack() as stack:
                bases = {}
                for build, build_dist in builds.items():
                    env = {**settings, "FRONTEND_DIST": str(build_dist)}
                    bases[build], _pid = stack.enter_context(evodash_process(env, workdir))
                print(f"  {bases}: {', '.join(label for label, _ in wanted)}")
                found, seen = asyncio.run(measure(bases, wanted, profiles, args.runs))
            results.update(found)
            loads += seen

    text_table = table(results, profiles)
    print(text_table)
    body = (
        # The command as run: its profiles, pages and builds are what the table holds.
        f"`{shlex.join(['python', '-m', 'bench.spa_timing', *sys.argv[1:]])}`"
        f" ({datetime.now(UTC):%Y-%m-%d}, "
        f"commit `{commit}`): `evodash run` (one process, {kind}, {args.messages:,} messages,"
        " 6 servers, 60 jobs) serving the built SPA on loopback; Debian Chromium, a new"
        " context (empty cache, logged in by cookie) per load, its window settled on"
        " `about:blank` first (Chromium's toolbar drawn), 1280x800; `cpu4x` throttles"
        " the CPU 4x. Times from the start of the navigation; medians and ranges of"
        f" {args.runs} loads per row. Depth: the document is 0, a request is one deeper than"
        " the deepest document/script/style/fetch request finished before it started.\n\n"
        + text_table
        + "\n\n"
        + "Builds: "
        + "; ".join(f"`{label}` is `{_shown(path)}`" for label, path in builds.items())
        + ".\n\n"
        + (args.note.strip() + "\n\n" if args.note.strip() else "")
        + load_note(loads[0], loads[-1])
        + f" Load average (1 min) over the rounds: {', '.join(f'{v:.1f}' for v in loads)}."
    )
    if not args.no_write:
        write_section(args.title, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
