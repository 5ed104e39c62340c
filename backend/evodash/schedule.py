"""Every periodic task of evodash, declared once (see :mod:`evodash.core.scheduler`).

Each runs once per interval across all processes, in the scheduler's leader. To add one,
write an ``async def task(services: Services) -> object`` in its domain and add one line
below; its interval comes from a setting (0 or less: off) or is a number of seconds.
"""

from __future__ import annotations

from evodash.alerts.engine import scheduled_checks
from evodash.backups import files as backup_files
from evodash.backups.tasks import scheduled_backup
from evodash.core.config import Settings
from evodash.core.scheduler import PeriodicTask, periodic
from evodash.core.services import Services
from evodash.instances.sync import scheduled_sync
from evodash.retention.service import purge
from evodash.webhooks.tasks import expire_qr, sweep_deferred


async def _sweep_deferred(services: Services) -> int:
    return await sweep_deferred(services.sessionmaker, services.settings)


async def _expire_qr(services: Services) -> int:
    return await expire_qr(services.sessionmaker)


async def _retention_purge(services: Services) -> object:
    return await purge(services.sessionmaker, services.settings)


def _backup_check(settings: Settings) -> float:
    """Every few minutes when automatic backups are configured (a file is written once
    ``BACKUP_INTERVAL_HOURS`` passed since the newest); off otherwise."""
    return 300.0 if backup_files.scheduled(settings) else 0.0


PERIODIC_TASKS: list[PeriodicTask] = [
    periodic("status_sync", every=lambda s: s.status_sync_interval_seconds, run=scheduled_sync),
    periodic("webhook_deferred_sweep", every=60, run=_sweep_deferred),
    periodic("qr_expiry", every=60, run=_expire_qr),
    periodic(
        "retention_purge", every=lambda s: s.retention_purge_interval_seconds, run=_retention_purge
    ),
    periodic("backup", every=_backup_check, run=scheduled_backup),
    periodic("alerts", every=lambda s: s.alert_check_interval_seconds, run=scheduled_checks),
]
