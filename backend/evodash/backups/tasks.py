"""Automatic backups to ``BACKUP_DIR``.

Run by the scheduler (:mod:`evodash.schedule`), once across all processes; even if two
ran it, a backup is only written when the newest file in ``BACKUP_DIR`` is older than the
interval.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.backups import files
from evodash.backups.service import export_backup
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.services import Services

log = structlog.get_logger(__name__)


async def backup_if_due(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, force: bool = False
) -> Path | None:
    """Write a backup to ``BACKUP_DIR`` when the newest is older than the interval; the
    file written, or None. A failure is logged and shown to admins (and raised)."""
    folder, passphrase = settings.backup_dir, settings.evodash_backup_passphrase
    if folder is None or passphrase is None:
        return None
    newest = files.status(settings).last
    interval = timedelta(hours=settings.backup_interval_hours)
    if not force and newest is not None and utcnow() - newest.created_at < interval:
        return None
    try:
        async with sessionmaker() as session:
            backup = await export_backup(session, settings, passphrase.get_secret_value())
        path = await asyncio.to_thread(files.store, settings, backup)
    except Exception as exc:
        await asyncio.to_thread(files.record_error, settings, f"{utcnow().isoformat()}: {exc}")
        log.exception("backup.failed", folder=str(folder))
        raise
    log.info("backup.written", path=str(path), size=path.stat().st_size)
    return path


async def scheduled_backup(services: Services) -> Path | None:
    """The scheduler's task (checked every few minutes, written once the interval passed)."""
    return await backup_if_due(services.sessionmaker, services.settings)
