"""A retention purge of 100,000 old messages while webhooks keep arriving.

Target (issue 16): webhook acknowledgements keep a p95 under 100 ms while the purge runs.

    .venv/bin/python -m bench.retention                    # SQLite
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/evodash_bench \\
        .venv/bin/python -m bench.retention                # PostgreSQL (the database is reset)

One ``evodash run`` serves; ``bench.loadgen`` posts ``messages.upsert`` webhooks from its
own process, once alone (the baseline) and once while ``evodash purge`` (a third process,
``RETENTION_MESSAGES_DAYS=365``) deletes the 100,000 messages 400 days old in batches of
``RETENTION_BATCH_SIZE``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.common import migrate, reset_database, write_section
from bench.servers import ROOT, evodash_process
from bench.webhook_ingest import INSTANCE, SECRET_KEY, WEBHOOK_SECRET, seed
from evodash.core.db import create_engine
from evodash.messages.models import WhatsAppMessage

TARGET_P95_MS = 100.0


async def add_old_messages(url: str, instance_id: int, total: int) -> None:
    engine = create_engine(url)
    old = datetime.now(UTC) - timedelta(days=400)
    try:
        for start in range(0, total, 10_000):
            rows = [
                {
                    "instance_id": instance_id,
                    "message_id": f"OLD{n:012d}",
                    "remote_jid": "5511987654321@s.whatsapp.net",
                    "sender_phone": "+5511987654321",
                    "direction": "in",
                    "from_me": False,
                    "is_group": False,
                    "message_type": "conversation",
                    "text": f"Mensagem antiga {n}",
                    "wa_timestamp": old + timedelta(seconds=n),
                    "is_allowed": True,
                    "raw": {},
                    "created_at": old,
                    "updated_at": old,
                }
                for n in range(start, min(total, start + 10_000))
            ]
            async with engine.begin() as conn:
                await conn.execute(insert(WhatsAppMessage.__table__), rows)
    finally:
        await engine.dispose()


async def old_count(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            stmt = select(func.count()).where(WhatsAppMessage.message_id.like("OLD%"))
            return int((await conn.execute(stmt)).scalar_one())
    finally:
        await engine.dispose()


def loadgen(url: str, args: argparse.Namespace) -> dict[str, Any]:
    import json

    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--connections",
        str(args.connections),
        "--seconds",
        str(args.seconds),
        "--warmup",
        "1",
        "--webhook-secret",
        WEBHOOK_SECRET,
        "--instance-name",
        INSTANCE,
        "--mix",
        "upsert",
        "--duplicates",
        "0",
    ]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(url: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    asyncio.run(reset_database(url))
    migrate(url)
    instance_id = asyncio.run(seed(url))
    asyncio.run(add_old_messages(url, instance_id, args.messages))
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "RETENTION_MESSAGES_DAYS": "0"}
    out: dict[str, Any] = {}
    with evodash_process(env, tmp) as (base, _pid):
        target = f"{base}/api/webhooks/evolution/{instance_id}"
        out["baseline"] = loadgen(target, args)
        purge_env = {
            **os.environ,
            **env,
            "ENVIRONMENT": "production",
            "DATA_DIR": str(tmp / "data"),
            "RETENTION_MESSAGES_DAYS": "365",
            "RETENTION_BATCH_SIZE": str(args.batch),
            "LOG_LEVEL": "WARNING",
        }
        started = time.monotonic()
        purge = subprocess.Popen(
            [sys.executable, "-m", "evodash.cli", "purge"],
            env=purge_env,
            cwd=tmp,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out["during"] = loadgen(target, args)
        stdout, stderr = purge.communicate(timeout=600)
        out["purge_seconds"] = time.monotonic() - started
        out["purge_output"] = stdout.strip() or stderr.strip()
    out["left"] = asyncio.run(old_count(url))
    return out


def _purged_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("messages")]
    return lines[0] if lines else output[-200:]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.db"
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"retention benchmark on {kind}: {args.messages:,} old messages")
        out = run(url, args, Path(tmp))
    base, during = out["baseline"], out["during"]
    ok = during["p95_ms"] < TARGET_P95_MS and out["left"] == 0
    body = (
        f"`python -m bench.retention --messages {args.messages} --batch {args.batch} "
        f"--connections {args.connections} --seconds {args.seconds:g}` "
        f"({datetime.now(UTC):%Y-%m-%d}).\n\n"
        f"- webhooks alone: {base['rate']:,.0f} events/s, p50 {base['p50_ms']:.1f} ms, "
        f"p95 {base['p95_ms']:.1f} ms, p99 {base['p99_ms']:.1f} ms, statuses {base['statuses']}\n"
        f"- webhooks during the purge: {during['rate']:,.0f} events/s, "
        f"p50 {during['p50_ms']:.1f} ms, p95 {during['p95_ms']:.1f} ms, "
        f"p99 {during['p99_ms']:.1f} ms, statuses {during['statuses']}\n"
        f"- purge: {out['purge_seconds']:.1f} s, {out['left']:,} old messages left "
        f"(`evodash purge`: {_purged_line(out['purge_output'])})\n\n"
        f"p95 during the purge {during['p95_ms']:.1f} ms: "
        f"{'meets' if ok else 'MISSES'} the {TARGET_P95_MS:.0f} ms target."
    )
    print(body)
    if not args.no_write:
        write_section(f"Retention purge under webhook load, {kind}", body)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
