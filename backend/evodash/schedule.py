"""Every periodic task of evodash, declared once (see :mod:`evodash.core.scheduler`).

Each runs once per interval across all processes, in the scheduler's leader. To add one,
write an ``async def task(services: Services) -> object`` in its domain and add one line
below; its interval comes from a setting (0 or less: off) or is a number of seconds.
"""

from __future__ import annotations

from evodash.core.scheduler import PeriodicTask, periodic
from evodash.core.services import Services
from evodash.instances.sync import scheduled_sync
from evodash.webhooks.tasks import expire_qr, purge_inbox, sweep_deferred


async def _sweep_deferred(services: Services) -> int:
    return await sweep_deferred(services.sessionmaker, services.settings)


async def _purge_inbox(services: Services) -> int:
    return await purge_inbox(services.sessionmaker, services.settings)


async def _expire_qr(services: Services) -> int:
    return await expire_qr(services.sessionmaker)


PERIODIC_TASKS: list[PeriodicTask] = [
    periodic("status_sync", every=lambda s: s.status_sync_interval_seconds, run=scheduled_sync),
    periodic("webhook_deferred_sweep", every=60, run=_sweep_deferred),
    periodic("webhook_inbox_purge", every=3600, run=_purge_inbox),
    periodic("qr_expiry", every=60, run=_expire_qr),
]
