"""``evodash worker``: the background half of evodash, in a process of its own.

A worker process runs the job queue (:mod:`evodash.jobs.worker`: image jobs and forward
attempts), applies the webhook inbox (:mod:`evodash.webhooks.applier`), and takes
part in the schedule (:mod:`evodash.schedule`: one process, the leader, runs each
periodic task). Any number of them run on PostgreSQL next to API processes started with
``EMBEDDED_WORKER=false`` and ``EMBEDDED_APPLIER=false``. ``SIGTERM`` stops it gracefully:
running jobs finish for a grace period, then are given back; the applier finishes its
batch; the scheduler lets its rounds finish and gives up leadership.
"""

from __future__ import annotations

import asyncio
import signal

import structlog

from evodash.core.config import Settings
from evodash.core.scheduler import Scheduler
from evodash.core.services import open_services
from evodash.jobs.worker import Worker
from evodash.schedule import PERIODIC_TASKS
from evodash.webhooks.tasks import WebhookTasks

log = structlog.get_logger(__name__)

#: No receiver in this process wakes the applier: it looks for new events this often.
APPLIER_POLL_SECONDS = 0.2


async def run_worker_process(
    settings: Settings,
    *,
    concurrency: int | None = None,
    poll_interval: float = 1.0,
    grace: float = 20.0,
    ocr: bool = True,
) -> None:
    """Run until SIGTERM or SIGINT, then stop gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with open_services(settings) as services:
        worker = Worker(
            services.sessionmaker,
            settings,
            services.http,
            concurrency=concurrency,
            poll_interval=poll_interval,
            ocr=ocr,
        )
        webhooks = WebhookTasks(services.sessionmaker, settings)
        webhooks.applier.poll_seconds = APPLIER_POLL_SECONDS
        scheduler = Scheduler(services, PERIODIC_TASKS)
        try:
            await worker.start()
            webhooks.start(apply=True)
            scheduler.start()
            await stop.wait()
            log.info("worker.stopping", worker=worker.name, grace=grace)
            await scheduler.stop(grace)
            await webhooks.stop(grace)
            await worker.stop(grace=grace)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
