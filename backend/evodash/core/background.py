"""Tasks started in the background and waited for once: the one drain helper.

``asyncio`` keeps only weak references to tasks, so a task started and forgotten can be
garbage-collected mid-way. A :class:`TaskSet` holds them until they end, and lets the
owner wait for them at shutdown (:meth:`drain`), or wait a while and cancel the rest
(:meth:`close`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class TaskSet:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(
        self, coro: Coroutine[Any, Any, Any], *, name: str | None = None
    ) -> asyncio.Task[Any]:
        """Run ``coro`` in the background (on the running loop), held until it ends."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, max_wait: float | None = None) -> bool:
        """Wait for every task, those started meanwhile too; ``False`` after ``max_wait``
        seconds with some still running."""
        loop = asyncio.get_running_loop()
        deadline = None if max_wait is None else loop.time() + max_wait
        while self._tasks:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=remaining)
        return True

    async def close(self, grace: float) -> None:
        """Let the tasks finish for ``grace`` seconds, then cancel the rest."""
        if await self.drain(grace):
            return
        pending = set(self._tasks)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
