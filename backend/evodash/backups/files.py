"""Backup files in ``BACKUP_DIR``: written atomically (readable by this user only), the
oldest removed beyond ``BACKUP_KEEP``, and the status admins see (read from the folder,
so every process agrees)."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

from evodash.backups.schemas import Backup, BackupFile, BackupStatus
from evodash.core.config import Settings

PREFIX = "evodash-backup-"
ERROR_FILE = ".last-error"


def to_json(backup: Backup) -> bytes:
    return backup.model_dump_json(indent=2).encode()


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) through a temporary file and a rename: a
    crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def listed(folder: Path) -> list[Path]:
    """The backup files, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{PREFIX}*.json") if p.is_file())


def store(folder: Path, backup: Backup, keep: int) -> Path:
    path = folder / f"{PREFIX}{backup.created_at.astimezone(UTC):%Y%m%d-%H%M%S-%f}.json"
    write_file(path, to_json(backup))
    for old in listed(folder)[:-keep]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    with contextlib.suppress(FileNotFoundError):
        (folder / ERROR_FILE).unlink()
    return path


def record_error(folder: Path, message: str) -> None:
    with contextlib.suppress(OSError):
        write_file(folder / ERROR_FILE, message[:500].encode())


def last_error(folder: Path) -> tuple[datetime, str] | None:
    """When the last automatic backup failed and why (``record_error``'s
    ``"<ISO time>: <error>"``; the file's time if the prefix does not parse), or None
    once a backup succeeded since."""
    path = folder / ERROR_FILE
    try:
        text = path.read_text(errors="replace")
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None
    stamp, sep, message = text.partition(": ")
    try:
        at = datetime.fromisoformat(stamp) if sep else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        return modified, text
    return at, message


def _describe(path: Path) -> BackupFile:
    stat = path.stat()
    return BackupFile(
        name=path.name,
        size_bytes=stat.st_size,
        created_at=datetime.fromtimestamp(stat.st_mtime, UTC),
    )


def scheduled(settings: Settings) -> bool:
    return settings.backup_dir is not None and settings.evodash_backup_passphrase is not None


#: The most files the status lists (BACKUP_KEEP may be larger).
STATUS_LIST_MAX = 50


def status(settings: Settings) -> BackupStatus:
    folder = settings.backup_dir
    files = listed(folder) if folder else []
    error_file = folder / ERROR_FILE if folder else None
    error = None
    if error_file is not None and error_file.is_file():
        error = error_file.read_text(errors="replace")
    return BackupStatus(
        scheduled=scheduled(settings),
        interval_hours=settings.backup_interval_hours,
        keep=settings.backup_keep,
        last=_describe(files[-1]) if files else None,
        last_error=error,
        files=len(files),
        stored=[_describe(path) for path in reversed(files[-STATUS_LIST_MAX:])],
    )
