"""The login throttle shared through Redis: several processes throttle as one."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from evodash.auth.throttle import LoginThrottle, Throttled

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    assert REDIS_URL is not None
    client = aioredis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.aclose()


def throttles(redis: aioredis.Redis, n: int) -> list[LoginThrottle]:
    """``n`` processes' throttles (each its own in-memory counters) on one Redis."""
    return [
        LoginThrottle(per_pair=5, per_address=20, window_seconds=60, max_delay=60, redis=redis)
        for _ in range(n)
    ]


async def test_failures_spread_over_processes_block_the_pair_everywhere(
    redis: aioredis.Redis,
) -> None:
    processes = throttles(redis, 3)
    user, address = f"ana-{secrets.token_hex(4)}", "10.1.2.3"
    for i in range(5):  # the five free failures, spread over the three
        await (await processes[i % 3].reserve_login(user, address)).failed()
    refusals = []
    for process in processes:  # the sixth is refused by each of them
        with pytest.raises(Throttled) as info:
            await process.reserve_login(user, address)
        refusals.append(info.value)
    assert all(r.retry_after == 1 for r in refusals)
    # One block, reported once (one audit entry), whichever process refused first.
    assert [r.newly_blocked for r in refusals] == [True, False, False]
    # Another username from the same address is not blocked (the address allows 20).
    await (await processes[0].reserve_login(f"{user}-other", address)).failed()
    await redis.delete(f"evodash:throttle:login:{address}|{user}")


async def test_a_success_resets_the_pair_for_every_process(redis: aioredis.Redis) -> None:
    first, second = throttles(redis, 2)
    user, address = f"bia-{secrets.token_hex(4)}", "10.9.8.7"
    for _ in range(4):
        await (await first.reserve_login(user, address)).failed()
    await (await second.reserve_login(user, address)).succeeded()
    assert not await redis.exists(f"evodash:throttle:login:{address}|{user}")
    await (await first.reserve_login(user, address)).failed()  # counting from zero again
    await (await second.reserve_login(user, address)).failed()


async def test_an_unreachable_redis_leaves_the_process_s_own_throttle() -> None:
    broken = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        [throttle] = throttles(broken, 1)
        for _ in range(5):
            await (await throttle.reserve_login("cid", "10.0.0.9")).failed()
        with pytest.raises(Throttled):
            await throttle.reserve_login("cid", "10.0.0.9")
    finally:
        await broken.aclose()
