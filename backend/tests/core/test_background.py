"""The one drain helper: background tasks held until they end, waited for once."""

from __future__ import annotations

import asyncio

from evodash.core.background import TaskSet


async def test_drain_waits_for_tasks_started_meanwhile() -> None:
    tasks = TaskSet()
    done: list[str] = []
    release = asyncio.Event()

    async def second() -> None:
        done.append("second")

    async def first() -> None:
        await release.wait()
        tasks.spawn(second())  # started while draining: waited for too
        done.append("first")

    tasks.spawn(first())
    assert len(tasks) == 1
    draining = asyncio.create_task(tasks.drain())
    release.set()
    assert await draining is True
    assert done == ["first", "second"] and len(tasks) == 0


async def test_close_cancels_what_outlives_the_grace() -> None:
    tasks = TaskSet()
    never = tasks.spawn(asyncio.Event().wait())
    assert await tasks.drain(max_wait=0.01) is False
    await tasks.close(grace=0.01)
    assert never.cancelled() and len(tasks) == 0
