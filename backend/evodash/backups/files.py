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
#: Where the last failure is kept when ``BACKUP_DIR`` itself cannot be written (missing
#: permissions, a full or unmounted disk): in evodash's own ``DATA_DIR``.
FALLBACK_ERROR_FILE = "backup-last-error"


def error_files(settings: Settings) -> list[Path]:
    """The places a failure may be recorded, ``BACKUP_DIR`` first."""
    assert settings.backup_dir is not None
    return [settings.backup_dir / ERROR_FILE, settings.data_dir / FALLBACK_ERROR_FILE]


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


def store(settings: Settings, backup: Backup) -> Path:
    """Write ``backup`` to ``BACKUP_DIR``, keep the newest ``BACKUP_KEEP`` and forget the
    last failure."""
    folder = settings.backup_dir
    assert folder is not None
    path = folder / f"{PREFIX}{backup.created_at.astimezone(UTC):%Y%m%d-%H%M%S-%f}.json"
    write_file(path, to_json(backup))
    for old in listed(folder)[: -settings.backup_keep]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    for error_file in error_files(settings):
        with contextlib.suppress(FileNotFoundError):
            error_file.unlink()
    return path


def record_error(settings: Settings, message: str) -> None:
    """Keep the failure in ``BACKUP_DIR``, or in ``DATA_DIR`` when that folder cannot be
    written: the status page and the ``backup_failed`` alert read both."""
    data = message[:500].encode()
    for error_file in error_files(settings):
        try:
            write_file(error_file, data)
        except OSError:
            continue
        return


def last_error(settings: Settings) -> tuple[datetime, str] | None:
    """When the last automatic backup failed and why (``record_error``'s
    ``"<ISO time>: <error>"``; the file's time if the prefix does not parse), or None
    once a backup succeeded since. The newer of the two places wins."""
    found = [failure for path in error_files(settings) if (failure := _read_error(path))]
    return max(found, key=lambda failure: failure[0]) if found else None


def _read_error(path: Path) -> tuple[datetime, str] | None:
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
    failure = last_error(settings) if folder else None
    error = f"{failure[0].isoformat()}: {failure[1]}" if failure else None
    return BackupStatus(
        scheduled=scheduled(settings),
        interval_hours=settings.backup_interval_hours,
        keep=settings.backup_keep,
        last=_describe(files[-1]) if files else None,
        last_error=error,
        files=len(files),
        stored=[_describe(path) for path in reversed(files[-STATUS_LIST_MAX:])],
    )
