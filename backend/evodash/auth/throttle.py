"""Login throttling: failed attempts per username and per client address.

A sliding window in memory: enough for one API process (the embedded default). With
several API processes each keeps its own window, so the effective limit is multiplied by
the process count; DESIGN §1 keeps logins cheap to re-route to one process if needed.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(
        self,
        *,
        max_per_user: int,
        window_seconds: int,
        max_per_address: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_per_user = max_per_user
        self.max_per_address = max_per_address or max_per_user * 4
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, now: float) -> deque[float]:
        bucket = self._failures[key]
        while bucket and bucket[0] <= now - self.window:
            bucket.popleft()
        if not bucket:
            self._failures.pop(key, None)
            return deque()
        return bucket

    def retry_after(self, username: str, address: str) -> int | None:
        """Seconds to wait before trying again, or None when an attempt is allowed."""
        now = self.clock()
        waits: list[float] = []
        for key, limit in (
            (f"u:{username.lower()}", self.max_per_user),
            (f"a:{address}", self.max_per_address),
        ):
            bucket = self._prune(key, now)
            if len(bucket) >= limit:
                waits.append(bucket[len(bucket) - limit] + self.window - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        self._failures[f"u:{username.lower()}"].append(now)
        self._failures[f"a:{address}"].append(now)

    def succeeded(self, username: str) -> None:
        self._failures.pop(f"u:{username.lower()}", None)
