"""300 concurrent ``messages.upsert`` deliveries, 20% duplicates: exactly the unique ones.

Runs on the database of the session (SQLite by default, PostgreSQL with
``TEST_DATABASE_URL``). Duplicates are posted in the same batch as their original, so
the two race for the same (instance_id, message_id). The rate is measured by
``bench/webhook_ingest.py``, not here.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.messages.models import WhatsAppMessage
from evodash.webhooks.models import WebhookEvent
from tests.webhooks.support import InstanceFactory, post_event, text_message

TOTAL = 300
DUPLICATE_SHARE = 0.2
BATCH = 100


def _batches() -> list[list[dict[str, Any]]]:
    rng = random.Random(20250115)
    per_batch_dups = int(BATCH * DUPLICATE_SHARE)
    batches = []
    serial = 0
    for _ in range(TOTAL // BATCH):
        unique = []
        for _ in range(BATCH - per_batch_dups):
            serial += 1
            unique.append(
                text_message(
                    f"3EB0{serial:020X}",
                    sender=f"55219{rng.randrange(10**7, 10**8)}",
                    text_body=f"message {serial}",
                    timestamp=1736950000 + serial,
                )
            )
        batch = unique + [rng.choice(unique) for _ in range(per_batch_dups)]
        rng.shuffle(batch)
        batches.append(batch)
    return batches


@pytest.mark.slow
@pytest.mark.commits
async def test_concurrent_upserts_store_each_message_once(
    client: httpx.AsyncClient,
    instances: InstanceFactory,
    db: async_sessionmaker[AsyncSession],
) -> None:
    hooked = await instances.create("acme-support")
    batches = _batches()
    unique_ids = {b["data"]["key"]["id"] for batch in batches for b in batch}
    assert sum(len(b) for b in batches) == TOTAL
    assert len(unique_ids) == TOTAL * (1 - DUPLICATE_SHARE)

    statuses: list[int] = []
    for batch in batches:
        responses = await asyncio.gather(*(post_event(client, hooked, body) for body in batch))
        statuses += [r.status_code for r in responses]

    assert statuses == [200] * TOTAL
    async with db() as session:
        stored = (await session.scalars(select(WhatsAppMessage.message_id))).all()
        inbox = (
            await session.execute(
                select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)
            )
        ).all()
    assert len(stored) == len(unique_ids)
    assert set(stored) == unique_ids
    assert dict((s, n) for s, n in inbox) == {"processed": TOTAL}
