"""Dashboard figures and the newest-first message page with 1,000,000 stored messages.

Target (DESIGN §8): p95 under 50 ms for /api/stats/overview and /api/messages (first page,
one instance's page, and a page deep in the cursor chain).

    .venv/bin/python -m bench.dashboard                 # SQLite in a temp dir
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/evodash_bench \\
        .venv/bin/python -m bench.dashboard             # PostgreSQL (the database is reset)
    .venv/bin/python -m bench.dashboard --messages 200000 --runs 100

The app is called in-process over ASGI, so the figures are the app's and the database's,
without network noise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import insert, text

from bench.common import as_serving_process, percentile, settle, summary, timed, write_section
from evodash.auth.sessions import bearer_token_for
from evodash.core.config import Settings
from evodash.core.db import create_engine
from evodash.core.migrate import upgrade
from evodash.core.security import hash_password
from evodash.main import create_app
from evodash.messages.models import WhatsAppMessage
from evodash.models import Base

SECRET = "bench-secret-key-0123456789-0123456789-0123456789"
INSTANCES = 20
TYPES = ["conversation", "extendedTextMessage", "imageMessage", "audioMessage"]


def _migrate(url: str) -> None:
    thread = threading.Thread(target=upgrade, args=(url,))
    thread.start()
    thread.join()


async def _reset(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _seed(url: str, total: int) -> float:
    engine = create_engine(url)
    started = time.perf_counter()
    now = datetime.now(UTC)
    rng = random.Random(42)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO evolution_server (id, name, base_url, api_key_encrypted,"
                " api_key_last4, created_at, updated_at)"
                " VALUES (1, 'bench', 'http://127.0.0.1:9', 'x', 'xxxx', :now, :now)"
            ),
            {"now": now.replace(tzinfo=None)},
        )
        for i in range(1, INSTANCES + 1):
            await conn.execute(
                text(
                    "INSERT INTO evolution_instance (id, server_id, display_name, name, status,"
                    " webhook_secret, webhook_events, allowed_numbers, reply_with_summary,"
                    " created_at, updated_at) VALUES (:id, 1, :dn, :n, :st, 's', '[]', '[]',"
                    " false, :now, :now)"
                ),
                {
                    "id": i,
                    "dn": f"Loja {i}",
                    "n": f"loja-{i}",
                    "st": rng.choice(["open", "open", "close", "connecting"]),
                    "now": now.replace(tzinfo=None),
                },
            )
        await conn.execute(
            text(
                'INSERT INTO "user" (id, username, password_hash, role, is_active, token_version,'
                " created_at, updated_at) VALUES (1, 'bench', :h, 'admin', true, 0, :now, :now)"
            ),
            {"h": hash_password("bench-password"), "now": now.replace(tzinfo=None)},
        )
    # 30 days of traffic, denser in the last day like a real inbox.
    batch = 20_000
    written = 0
    table = WhatsAppMessage.__table__
    while written < total:
        rows = []
        for n in range(written, min(total, written + batch)):
            recent = rng.random() < 0.05
            age = rng.uniform(0, 86_400) if recent else rng.uniform(0, 30 * 86_400)
            instance = rng.randint(1, INSTANCES)
            phone = f"55119{rng.randint(10_000_000, 99_999_999)}"
            rows.append(
                {
                    "instance_id": instance,
                    "message_id": f"3EB0{n:016X}",
                    "remote_jid": f"{phone}@s.whatsapp.net",
                    "participant": None,
                    "sender_phone": f"+{phone}",
                    "sender_name": f"Cliente {n % 997}",
                    "direction": "out" if rng.random() < 0.3 else "in",
                    "from_me": False,
                    "is_group": False,
                    "message_type": rng.choice(TYPES),
                    "text": f"Mensagem número {n} sobre o pedido {rng.randint(1000, 9999)}",
                    "media_mimetype": None,
                    "status": "DELIVERY_ACK",
                    "wa_timestamp": now - timedelta(seconds=age),
                    "is_allowed": rng.random() > 0.1,
                    "deleted_at": None,
                    "raw": {"key": {"id": f"3EB0{n:016X}"}, "messageType": "conversation"},
                    "created_at": now,
                    "updated_at": now,
                }
            )
        async with engine.begin() as conn:
            await conn.execute(insert(table), rows)
        written += len(rows)
        sys.stdout.write(f"\r  seeded {written:,} / {total:,} messages")
        sys.stdout.flush()
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE"))
        else:
            await conn.execute(text("ANALYZE"))
    await engine.dispose()
    sys.stdout.write("\n")
    return time.perf_counter() - started


async def _existing(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int(
                (await conn.execute(text("SELECT count(*) FROM whatsapp_message"))).scalar_one()
            )
    except Exception:
        return 0
    finally:
        await engine.dispose()


async def run(
    url: str, total: int, runs: int, data_dir: Path, reuse: bool = False
) -> dict[str, list[float]]:
    if reuse and await _existing(url) == total:
        print("  reusing the seeded database")
    else:
        await _reset(url)
        _migrate(url)
        seconds = await _seed(url, total)
        print(f"  seeding took {seconds:.0f} s")
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
        status_sync_interval_seconds=0,
        log_level="WARNING",
        frontend_dist=data_dir / "none",
    )
    app = create_app(settings)
    results: dict[str, list[float]] = {}
    async with LifespanManager(app):
        as_serving_process()
        token = await bearer_token_for(
            app.state.sessionmaker, 1, settings, expires_in=timedelta(hours=1)
        )
        headers = {"Authorization": f"Bearer {token}"}
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=headers
        )

        async def get(path: str, **params: object) -> httpx.Response:
            response = await client.get(path, params=params)
            response.raise_for_status()
            return response

        # A cursor 50 pages deep, to show keyset pages cost the same anywhere.
        cursor = None
        for _ in range(50):
            cursor = (
                await get("/api/messages", limit=50, cursor=cursor)
                if cursor
                else await get("/api/messages", limit=50)
            ).json()["next_cursor"]
        cases = {
            "GET /api/stats/overview": lambda: get("/api/stats/overview"),
            "GET /api/messages (first page)": lambda: get("/api/messages", limit=50),
            "GET /api/messages?instance_id (first page)": lambda: get(
                "/api/messages", limit=50, instance_id=7
            ),
            "GET /api/messages (page 51)": lambda: get("/api/messages", limit=50, cursor=cursor),
            "GET /api/messages?allowed=false": lambda: get(
                "/api/messages", limit=50, allowed="false"
            ),
        }
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
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/")
    parser.add_argument("--sqlite-path", help="keep the SQLite database here and reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_path = args.sqlite_path or f"{tmp}/bench.db"
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{sqlite_path}"
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"dashboard benchmark on {kind}, {args.messages:,} messages")
        results = asyncio.run(
            run(
                url,
                args.messages,
                args.runs,
                Path(tmp),
                reuse=bool(args.sqlite_path or os.environ.get("BENCH_REUSE")),
            )
        )
    worst = max(percentile(s, 95) for s in results.values())
    verdict = "meets" if worst < 50 else "MISSES"
    lines = [f"- {name}: {summary(s)}" for name, s in results.items()]
    body = (
        f"`python -m bench.dashboard --messages {args.messages} --runs {args.runs}` "
        f"({datetime.now(UTC):%Y-%m-%d}).\n\n"
        + "\n".join(lines)
        + f"\n\nWorst p95 {worst:.1f} ms: {verdict} the 50 ms target "
        f"(ratio {worst / 50:.2f})."
    )
    print(body)
    if not args.no_write:
        write_section(f"Dashboard and message pages, {args.messages:,} messages, {kind}", body)
    _ = Base  # every table registered
    return 0 if worst < 50 else 1


if __name__ == "__main__":
    raise SystemExit(main())
