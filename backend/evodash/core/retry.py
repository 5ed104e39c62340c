"""The one retry policy: exponential backoff with a cap and jitter.

Used by the job queue (every job kind, forwarding included) and by the Evolution client's
retried reads, each with its own base and cap.
"""

from __future__ import annotations

import random

_rng = random.Random()


def backoff_seconds(
    attempt: int,
    *,
    base: float,
    cap: float,
    jitter: float = 0.2,
    rng: random.Random | None = None,
) -> float:
    """The delay before the next attempt, after failed attempt number ``attempt`` (1-based).

    ``base·2^(attempt-1)``, at most ``cap``, then ± ``jitter`` (a fraction) so that work
    that failed together (an Evolution server or a receiver went down) does not all come
    back in the same second.
    """
    delay = min(base * 2.0 ** max(attempt - 1, 0), cap)
    if not jitter:
        return delay
    return delay * (1 + (rng or _rng).uniform(-jitter, jitter))
