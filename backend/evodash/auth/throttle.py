"""Throttling of guesses: failures per key, with exponential backoff, reserved up front.

Logins are throttled per client address and per (address, username) pair, never per
username alone: a lock on ``admin`` that anyone on the internet could trigger would let an
outsider lock the admin out. A pair that keeps failing waits 1 s, 2 s, 4 s, … (up to
``max_delay``) between attempts; an address gets a larger allowance, shared by every
username it tries, then the same backoff.

An attempt is *reserved* before the password is checked and counts as in flight: twelve
concurrent guesses against a limit of five see five reservations succeed and seven
answered 429 at once, instead of twelve evaluations (the old check-then-act race). An
address also has only a few attempts in flight at once, so one address cannot fill the
password hashing queue.

State lives in the process (a dict bounded by ``max_keys``). With several API processes
each has its own counters: the allowance multiplies by the number of processes, the
backoff still applies in each (docs/security.md).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class _Key:
    free: int = 0
    failures: int = 0
    in_flight: int = 0
    blocked_until: float = 0.0
    last_failure: float = 0.0


@dataclass(frozen=True)
class Rule:
    """``free`` failures are allowed before the backoff starts; ``in_flight`` attempts of
    the key may be evaluated at once."""

    free: int
    in_flight: int


class Throttled(Exception):
    def __init__(self, retry_after: int, *, newly_blocked: bool) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after
        #: True only for the first refusal of a block (not for "too many in flight"):
        #: one audit entry per block, not one per refused request.
        self.newly_blocked = newly_blocked


class Reservation:
    """One attempt in flight. Exactly one of ``failed``/``succeeded``/``cancel`` ends it."""

    def __init__(self, throttle: FailureThrottle, keys: tuple[str, ...], reset: tuple[str, ...]):
        self._throttle = throttle
        self._keys = keys
        self._reset = reset
        self._open = True

    def failed(self) -> None:
        if self._open:
            self._open = False
            self._throttle._finish(self._keys, failed=True, reset=())

    def succeeded(self) -> None:
        if self._open:
            self._open = False
            self._throttle._finish(self._keys, failed=False, reset=self._reset)

    def cancel(self) -> None:
        """Neither outcome (the request was cancelled or crashed): free the slot."""
        if self._open:
            self._open = False
            self._throttle._finish(self._keys, failed=False, reset=())


class FailureThrottle:
    """Failure counters per string key with exponential backoff.

    ``forget_after``: a key with no failure (and no block) for that long starts afresh.
    """

    def __init__(
        self,
        *,
        base_delay: float = 1.0,
        max_delay: float = 900.0,
        forget_after: float = 60.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.max_keys = max_keys
        self.clock = clock
        self._keys: dict[str, _Key] = {}
        self._refused: set[str] = set()

    def _get(self, key: str, now: float) -> _Key | None:
        state = self._keys.get(key)
        if state is None:
            return None
        # Quiet for ``forget_after`` after the block ended, and for at least as long as
        # the last block lasted: waiting out a long block does not restore the allowance.
        quiet_since = max(state.last_failure, state.blocked_until)
        quiet_for = max(self.forget_after, state.blocked_until - state.last_failure)
        if state.in_flight == 0 and now - quiet_since >= quiet_for:
            del self._keys[key]
            self._refused.discard(key)
            return None
        return state

    def _wait(self, state: _Key | None, rule: Rule, now: float) -> tuple[float, bool] | None:
        """``(seconds to wait, whether the key is blocked)``, or None: go ahead. Not
        blocked means only "too many attempts in flight right now"."""
        if state is None:
            return None
        if now < state.blocked_until:
            return state.blocked_until - now, True
        if state.in_flight >= rule.in_flight:
            return 1.0, False
        if state.failures + state.in_flight >= rule.free and state.in_flight > 0:
            # Past the allowance: one attempt at a time, each answered before the next.
            return 1.0, False
        return None

    def _refuse(self, key: str, wait: float, blocked: bool) -> Throttled:
        newly = blocked and key not in self._refused
        if blocked:
            self._refused.add(key)
        return Throttled(max(1, math.ceil(wait)), newly_blocked=newly)

    def reserve(
        self, rules: Iterable[tuple[str, Rule]], *, reset_on_success: Iterable[str] = ()
    ) -> Reservation:
        """Reserve an attempt on every key, or raise :class:`Throttled` (nothing reserved).

        Runs without awaiting, so it is atomic on the event loop.
        """
        now = self.clock()
        pairs = list(rules)
        waits: list[tuple[float, bool, str]] = []
        for key, rule in pairs:
            found = self._wait(self._get(key, now), rule, now)
            if found is not None:
                waits.append((*found, key))
        if waits:
            wait, blocked, key = max(waits)
            raise self._refuse(key, wait, blocked)
        self._make_room(len(pairs))
        for key, rule in pairs:
            state = self._keys.setdefault(key, _Key())
            state.free = rule.free
            state.in_flight += 1
        return Reservation(self, tuple(k for k, _ in pairs), tuple(reset_on_success))

    def _finish(self, keys: tuple[str, ...], *, failed: bool, reset: tuple[str, ...]) -> None:
        now = self.clock()
        for key in keys:
            state = self._keys.get(key)
            if state is None:  # pragma: no cover - evicted while in flight
                continue
            state.in_flight = max(0, state.in_flight - 1)
            if failed:
                state.failures += 1
                state.last_failure = now
                self._refused.discard(key)
                over = state.failures - state.free
                if over >= 0:
                    delay = min(self.base_delay * 2.0**over, self.max_delay)
                    state.blocked_until = max(state.blocked_until, now + delay)
        for key in reset:
            state = self._keys.get(key)
            if state is not None and state.in_flight == 0:
                del self._keys[key]
                self._refused.discard(key)
            elif state is not None:
                state.failures, state.blocked_until = 0, 0.0

    def _make_room(self, needed: int) -> None:
        if len(self._keys) + needed <= self.max_keys:
            return
        now = self.clock()
        for key in list(self._keys):
            self._get(key, now)  # drops forgotten keys
        while len(self._keys) + needed > self.max_keys:
            # Oldest first (dicts keep insertion order); keys in flight stay.
            for key, state in self._keys.items():
                if state.in_flight == 0:
                    del self._keys[key]
                    self._refused.discard(key)
                    break
            else:  # pragma: no cover - everything in flight
                return


#: Attempts of one address evaluated at once (a pair: at most its free allowance).
ADDRESS_IN_FLIGHT = 8


class LoginThrottle:
    """The app's guess throttles (logins, current passwords, server keys), one per process.

    ``per_pair`` failures of one (address, username) and ``per_address`` failures of one
    address (whatever the usernames) are free; after that each failure doubles the wait,
    from 1 s up to ``max_delay``. Guesses of other secrets by a logged-in user (their
    current password, a server's key) are limited per user the same way.
    """

    def __init__(
        self,
        *,
        per_pair: int,
        per_address: int,
        window_seconds: float,
        max_delay: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = FailureThrottle(
            base_delay=1.0, max_delay=max_delay, forget_after=window_seconds, clock=clock
        )
        # Reserving counts toward the allowance, so no more than ``per_pair`` attempts of
        # a pair are ever evaluated before the backoff, concurrent or not.
        self.pair_rule = Rule(free=per_pair, in_flight=per_pair)
        self.address_rule = Rule(free=per_address, in_flight=ADDRESS_IN_FLIGHT)
        self.guess_rule = Rule(free=per_pair, in_flight=1)

    def reserve_login(self, username: str, address: str) -> Reservation:
        pair = f"login:{address}|{username.casefold()}"
        return self.failures.reserve(
            [(pair, self.pair_rule), (f"login-address:{address}", self.address_rule)],
            reset_on_success=[pair],
        )

    def reserve_guess(self, what: str, who: str) -> Reservation:
        """A guess of ``what`` (``password``, ``server-key``) by ``who`` (a user id)."""
        key = f"{what}:{who}"
        return self.failures.reserve([(key, self.guess_rule)], reset_on_success=[key])
