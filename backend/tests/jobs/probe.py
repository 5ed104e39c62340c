"""A fast job kind for the multi-process tests: it logs every execution to a table.

``job_probe_log`` is created by the tests (it is not part of the schema). Each run of a
probe job writes a ``start`` row, sleeps ``EVODASH_PROBE_SLEEP`` seconds (so a test can
kill its worker mid-job) and writes a ``finish`` row.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from sqlalchemy import text

from evodash.jobs.pipeline import JobContext

PROBE_KIND = "probe"
DDL = """
CREATE TABLE IF NOT EXISTS job_probe_log (
    id SERIAL PRIMARY KEY,
    job_id INTEGER NOT NULL,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    event TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
)
"""


async def _log(ctx: JobContext, event: str) -> None:
    async with ctx.sessionmaker() as session:
        await session.execute(
            text(
                "INSERT INTO job_probe_log (job_id, owner, pid, event, at) "
                "VALUES (:job_id, :owner, :pid, :event, :at)"
            ),
            {
                "job_id": ctx.job.id,
                "owner": ctx.owner,
                "pid": os.getpid(),
                "event": event,
                "at": time.time(),
            },
        )
        await session.commit()


async def probe_handler(ctx: JobContext) -> dict[str, Any]:
    await _log(ctx, "start")
    ctx.report(50, "probing")
    await asyncio.sleep(float(os.environ.get("EVODASH_PROBE_SLEEP", "0")))
    await _log(ctx, "finish")
    return {"pid": os.getpid(), "owner": ctx.owner}
