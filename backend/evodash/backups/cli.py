"""``evodash backup export|import``: the same service as the API, on its own engine."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import ValidationError

from evodash.backups import files, service
from evodash.backups.errors import BackupInvalid
from evodash.backups.schemas import BACKUP_MAX_BYTES, Backup, ImportReport
from evodash.core.config import Settings
from evodash.core.db import standalone_sessions
from evodash.users import audit


async def export_to(settings: Settings, passphrase: str, output: str) -> int:
    async with standalone_sessions(settings.database_url) as sessions, sessions() as session:
        backup = await service.export_backup(session, settings, passphrase)
        audit.record(session, None, "backup.exported", username="cli", ip="cli")
        await session.commit()
    data = files.to_json(backup)
    if output == "-":
        sys.stdout.buffer.write(data)
    else:
        files.write_file(Path(output), data)
        print(
            f"evodash: backup written to {output} ({len(data):,} bytes): "
            f"{len(backup.servers)} servers, {len(backup.instances)} instances, "
            f"{len(backup.users)} users, {len(backup.api_keys)} API keys."
        )
    return 0


def read_backup(path: Path) -> Backup:
    try:
        if path.stat().st_size > BACKUP_MAX_BYTES:
            raise BackupInvalid(f"{path} is larger than {BACKUP_MAX_BYTES:,} bytes.")
        return Backup.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise BackupInvalid(f"cannot read {path}: {exc.strerror}") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "file"
        raise BackupInvalid(f"{path} is not an evodash backup ({where}: {error['msg']}).") from exc


def print_report(report: ImportReport) -> None:
    title = "would change (dry run)" if report.dry_run else "restored"
    print(f"evodash: backup {title}:")
    print(f"  {'kind':<11} {'created':>8} {'updated':>8} {'unchanged':>10}")
    for kind in ("servers", "instances", "users", "api_keys", "alert_rules"):
        c = getattr(report, kind)
        print(f"  {kind:<11} {c.created:>8} {c.updated:>8} {c.unchanged:>10}")


async def import_from(settings: Settings, passphrase: str, file: str, dry_run: bool) -> int:
    backup = read_backup(Path(file))
    async with standalone_sessions(settings.database_url) as sessions, sessions() as session:
        report = await service.import_backup(session, settings, backup, passphrase, dry_run=dry_run)
        if not dry_run:
            audit.record(
                session,
                None,
                "backup.imported",
                username="cli",
                ip="cli",
                detail=report.model_dump(exclude={"dry_run"}),
            )
        await session.commit()
    print_report(report)
    return 0
