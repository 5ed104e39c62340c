"""The ``evodash`` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Sequence

from evodash.core.config import ConfigurationError, Settings, get_settings


def _settings_or_exit() -> Settings:
    from evodash.core.security import configure_password_hashing

    try:
        settings = get_settings()
        configure_password_hashing(settings.environment)
        return settings
    except ConfigurationError as exc:
        print(f"evodash: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def upgrade_database(settings: Settings) -> None:
    """Migrate the schema, then what an upgrade does to the data with the app's secret key:
    webhook secrets still stored in clear (rows from before they were sealed) are sealed."""
    from evodash.core.db import standalone_sessions
    from evodash.core.migrate import upgrade
    from evodash.instances.webhook_secret import seal_legacy_secrets

    upgrade(settings.database_url)

    async def seal() -> None:
        async with standalone_sessions(settings.database_url) as sessions:
            await seal_legacy_secrets(sessions, settings)

    asyncio.run(seal())


def cmd_migrate(_: argparse.Namespace) -> int:
    settings = _settings_or_exit()
    settings.ensure_dirs()
    upgrade_database(settings)
    print("evodash: database is up to date.")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from evodash.main import create_app

    settings = _settings_or_exit()
    settings.ensure_dirs()
    if not args.no_migrate:
        upgrade_database(settings)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        timeout_keep_alive=settings.http_keep_alive_seconds,
        # Realtime frames are small JSON objects sent to every browser: compressing each
        # one for each socket costs more CPU than the bytes it saves on a LAN or a
        # compressed (TLS proxy) link. See docs/architecture.md, "The event pipeline".
        ws_per_message_deflate=False,
    )
    return 0


async def _create_superuser(username: str, email: str | None, password: str) -> None:
    from evodash.core.db import standalone_sessions
    from evodash.core.security import PasswordHashing
    from evodash.users.models import Role
    from evodash.users.schemas import UserCreate
    from evodash.users.service import create_user

    settings = get_settings()
    async with standalone_sessions(settings.database_url) as sessions, sessions() as session:
        await create_user(
            session,
            UserCreate(username=username, email=email, role=Role.admin, password=password),
            PasswordHashing(concurrency=1, max_waiting=1),
            actor=None,
            ip="cli",
        )
        await session.commit()


_FIELD_RULES = {
    "username": "3 to 150 letters, digits or . _ @ + -",
    "password": "at least 8 characters",
    "email": "a valid email address",
}


def _first_problem(exc: Exception) -> str:
    """One readable line for a user's mistake, instead of pydantic's dump."""
    from pydantic import ValidationError

    assert isinstance(exc, ValidationError)
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else "input"
    rule = _FIELD_RULES.get(field, error["msg"])
    value = error.get("input")
    shown = "" if field == "password" or not isinstance(value, str) else f" {value!r}"
    return f"invalid {field}{shown}: {rule}."


def cmd_createsuperuser(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from evodash.core.errors import AppError

    _settings_or_exit()
    username = args.username or input("Username: ").strip()
    email = args.email if args.username else (args.email or input("Email (optional): ").strip())
    password = os.environ.get("EVODASH_ADMIN_PASSWORD")
    if not password:
        if args.username and not sys.stdin.isatty():
            print(
                "evodash: set EVODASH_ADMIN_PASSWORD to create a user non-interactively.",
                file=sys.stderr,
            )
            return 2
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            print("evodash: the passwords differ.", file=sys.stderr)
            return 2
    try:
        asyncio.run(_create_superuser(username, email or None, password))
    except ValidationError as exc:
        print(f"evodash: {_first_problem(exc)}", file=sys.stderr)
        return 1
    except AppError as exc:
        print(f"evodash: {exc.detail}", file=sys.stderr)
        return 1
    print(f"evodash: admin user {username!r} created.")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from evodash.core.logging import configure_logging
    from evodash.worker import run_worker_process

    settings = _settings_or_exit()
    configure_logging(settings.log_format, settings.log_level)
    asyncio.run(
        run_worker_process(
            settings,
            concurrency=args.concurrency,
            poll_interval=args.poll_interval,
            grace=args.grace,
            ocr=not args.no_ocr,
        )
    )
    return 0


def cmd_simulator(args: argparse.Namespace) -> int:
    from evodash.core.logging import configure_logging
    from evodash.simulator.server import run_simulator

    configure_logging("console", "INFO")
    run_simulator(
        args.host,
        args.port,
        args.api_key,
        public_url=args.public_url,
        qr_interval=args.qr_interval,
        whatsapp_reachable=not args.offline,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from evodash.demo import run_demo

    run_demo(port=args.port, sim_port=args.simulator_port)
    return 0


def cmd_openapi(_: argparse.Namespace) -> int:
    from evodash.main import create_app

    print(json.dumps(create_app().openapi(), indent=2, sort_keys=False))
    return 0


def _passphrase(settings: Settings, *, confirm: bool) -> str | None:
    """EVODASH_BACKUP_PASSPHRASE, or asked for at the terminal."""
    if settings.evodash_backup_passphrase is not None:
        return settings.evodash_backup_passphrase.get_secret_value()
    if not sys.stdin.isatty():
        print(
            "evodash: set EVODASH_BACKUP_PASSPHRASE (or run in a terminal to be asked).",
            file=sys.stderr,
        )
        return None
    passphrase = getpass.getpass("Backup passphrase: ")
    if confirm and passphrase != getpass.getpass("Backup passphrase (again): "):
        print("evodash: the passphrases differ.", file=sys.stderr)
        return None
    return passphrase


def cmd_backup(args: argparse.Namespace) -> int:
    from evodash.backups import cli as backup_cli
    from evodash.core.errors import AppError

    settings = _settings_or_exit()
    passphrase = _passphrase(settings, confirm=args.action == "export")
    if passphrase is None:
        return 2
    try:
        if args.action == "export":
            return asyncio.run(backup_cli.export_to(settings, passphrase, args.output))
        return asyncio.run(backup_cli.import_from(settings, passphrase, args.file, args.dry_run))
    except AppError as exc:
        print(f"evodash: {exc.detail}", file=sys.stderr)
        return 1


def cmd_purge(args: argparse.Namespace) -> int:
    from evodash.core.db import standalone_sessions
    from evodash.retention.service import purge

    settings = _settings_or_exit()

    async def run() -> int:
        async with standalone_sessions(settings.database_url) as sessions:
            report = await purge(sessions, settings, dry_run=args.dry_run)
        verb = "would delete" if args.dry_run else "deleted"
        print(f"evodash: retention purge{' (dry run)' if args.dry_run else ''}:")
        for kind in report.kinds:
            if kind.before is None and kind.kind != "messages":
                print(f"  {kind.kind:<18} kept forever")
            else:
                age = f"older than {kind.days} days" if kind.days else "per-instance settings"
                print(f"  {kind.kind:<18} {verb} {kind.count:,} ({age})")
        return 0

    return asyncio.run(run())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evodash", description="Evolution API Dashboard")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="migrate the database and serve the app")
    run.add_argument("--host", default=None)
    run.add_argument("--port", type=int, default=None)
    run.add_argument("--no-migrate", action="store_true", help="do not migrate first")
    run.add_argument("--forwarded-allow-ips", default="127.0.0.1")
    run.set_defaults(func=cmd_run)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate)

    su = sub.add_parser("createsuperuser", help="create an admin user")
    su.add_argument("--username")
    su.add_argument("--email")
    su.set_defaults(func=cmd_createsuperuser)

    worker = sub.add_parser(
        "worker", help="run jobs, apply webhook events and take part in the schedule until SIGTERM"
    )
    worker.add_argument(
        "--concurrency", type=int, default=None, help="jobs at once (WORKER_CONCURRENCY)"
    )
    worker.add_argument("--poll-interval", type=float, default=1.0, help="seconds when idle")
    worker.add_argument(
        "--grace", type=float, default=20.0, help="seconds to finish jobs on SIGTERM"
    )
    worker.add_argument("--no-ocr", action="store_true", help="skip OCR (codes only)")
    worker.set_defaults(func=cmd_worker)

    sim = sub.add_parser("simulator", help="serve a fake Evolution API v2 server (no WhatsApp)")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8081)
    sim.add_argument("--api-key", required=True, help="the server's global API key")
    sim.add_argument("--public-url", default=None, help="SERVER_URL shown in its webhooks")
    sim.add_argument("--qr-interval", type=float, default=45.0, help="seconds per QR code")
    sim.add_argument(
        "--offline",
        action="store_true",
        help="WhatsApp unreachable: no QR code, endless reconnecting",
    )
    sim.set_defaults(func=cmd_simulator)

    demo = sub.add_parser("demo", help="the dashboard + a simulator with demo data and traffic")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--simulator-port", type=int, default=8081)
    demo.set_defaults(func=cmd_demo)

    backup = sub.add_parser("backup", help="export or import the configuration")
    backup_sub = backup.add_subparsers(dest="action", required=True)
    export = backup_sub.add_parser(
        "export", help="write servers, instances, users and API keys to a file"
    )
    export.add_argument("--output", "-o", required=True, help="the file to write ('-': stdout)")
    export.set_defaults(func=cmd_backup)
    restore = backup_sub.add_parser("import", help="restore a backup file (idempotent)")
    restore.add_argument("file", help="a file written by 'evodash backup export'")
    restore.add_argument("--dry-run", action="store_true", help="show what would change")
    restore.set_defaults(func=cmd_backup)

    purge = sub.add_parser("purge", help="delete data older than the retention settings")
    purge.add_argument("--dry-run", action="store_true", help="only say what would go")
    purge.set_defaults(func=cmd_purge)

    openapi = sub.add_parser("openapi", help="print the OpenAPI document")
    openapi.set_defaults(func=cmd_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
