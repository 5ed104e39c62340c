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

The counters live in the process (a dict bounded by ``max_keys``). With Redis configured
(``REDIS_URL``) the failures and blocks are also kept in Redis (:class:`SharedFailures`),
so several API processes throttle as one: five failures spread over three processes block
the pair everywhere. Attempts in flight stay counted per process. If Redis cannot be
reached, each process falls back to its own counters (logged).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = structlog.get_logger(__name__)


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


# Server time (seconds) in the scripts: every process compares against the same clock.
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1e6"

#: KEYS: the keys. Returns {seconds to wait, index of that key (1-based), newly blocked}.
_CHECK = (
    _NOW
    + """
local wait, which, newly = 0, 0, 0
for i, key in ipairs(KEYS) do
  local until_ = tonumber(redis.call('HGET', key, 'blocked_until') or '0')
  if until_ - now > wait then wait, which = until_ - now, i end
end
if which > 0 then
  local key = KEYS[which]
  local until_ = redis.call('HGET', key, 'blocked_until')
  if redis.call('HGET', key, 'refused') ~= until_ then
    redis.call('HSET', key, 'refused', until_)
    newly = 1
  end
end
return {tostring(wait), which, newly}
"""
)

#: KEYS[1]: the key; ARGV: free failures, base delay, max delay, forget after (seconds).
_FAIL = (
    _NOW
    + """
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local until_ = tonumber(redis.call('HGET', KEYS[1], 'blocked_until') or '0')
local over = failures - tonumber(ARGV[1])
if over >= 0 then
  local delay = math.min(tonumber(ARGV[2]) * 2 ^ over, tonumber(ARGV[3]))
  if now + delay > until_ then until_ = now + delay end
  redis.call('HSET', KEYS[1], 'blocked_until', string.format('%.6f', until_))
end
local keep = tonumber(ARGV[4])
if until_ > now then keep = keep + 2 * (until_ - now) end
redis.call('PEXPIRE', KEYS[1], math.ceil(keep * 1000))
return failures
"""
)


class SharedFailures:
    """Failures and blocks of throttle keys in Redis, shared by every process.

    Each key is a hash (``failures``, ``blocked_until`` in Redis's clock, ``refused``:
    the block already reported) that expires after a quiet period of ``forget_after``
    (longer while blocked): the same rules as :class:`FailureThrottle`, across processes.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        base_delay: float,
        max_delay: float,
        forget_after: float,
        prefix: str = "evodash:throttle:",
    ) -> None:
        self.redis = redis
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.prefix = prefix
        self._check: Any = redis.register_script(_CHECK)
        self._fail: Any = redis.register_script(_FAIL)

    def _keys(self, keys: Iterable[str]) -> list[str]:
        return [self.prefix + key for key in keys]

    async def check(self, keys: list[str]) -> Throttled | None:
        """The refusal to raise if one of ``keys`` is blocked, else None."""
        try:
            wait, which, newly = await self._check(keys=self._keys(keys))
        except Exception as exc:  # Redis is down: the process's own counters still hold
            log.warning("auth.throttle_redis_failed", error=repr(exc))
            return None
        seconds = float(wait)
        if int(which) == 0 or seconds <= 0:
            return None
        return Throttled(max(1, math.ceil(seconds)), newly_blocked=bool(int(newly)))

    async def failed(self, rules: Iterable[tuple[str, Rule]]) -> None:
        try:
            for key, rule in rules:
                await self._fail(
                    keys=self._keys([key]),
                    args=[rule.free, self.base_delay, self.max_delay, self.forget_after],
                )
        except Exception as exc:
            log.warning("auth.throttle_redis_failed", error=repr(exc))

    async def reset(self, keys: Iterable[str]) -> None:
        names = self._keys(keys)
        if not names:
            return
        try:
            await self.redis.delete(*names)
        except Exception as exc:
            log.warning("auth.throttle_redis_failed", error=repr(exc))


class Attempt:
    """An attempt reserved by :class:`LoginThrottle`: end it with exactly one of
    ``await failed()``, ``await succeeded()`` or ``cancel()``."""

    def __init__(
        self,
        local: Reservation,
        shared: SharedFailures | None,
        rules: list[tuple[str, Rule]],
        reset: list[str],
    ) -> None:
        self._local = local
        self._shared = shared
        self._rules = rules
        self._reset = reset

    async def failed(self) -> None:
        self._local.failed()
        if self._shared is not None:
            await self._shared.failed(self._rules)

    async def succeeded(self) -> None:
        self._local.succeeded()
        if self._shared is not None:
            await self._shared.reset(self._reset)

    def cancel(self) -> None:
        self._local.cancel()


class LoginThrottle:
    """The app's guess throttles (logins, current passwords, server keys).

    ``per_pair`` failures of one (address, username) and ``per_address`` failures of one
    address (whatever the usernames) are free; after that each failure doubles the wait,
    from 1 s up to ``max_delay``. Guesses of other secrets by a logged-in user (their
    current password, a server's key) are limited per user the same way. With ``redis``
    the failures are counted across all processes (:class:`SharedFailures`).
    """

    def __init__(
        self,
        *,
        per_pair: int,
        per_address: int,
        window_seconds: float,
        max_delay: float,
        clock: Callable[[], float] = time.monotonic,
        redis: Redis | None = None,
    ) -> None:
        self.failures = FailureThrottle(
            base_delay=1.0, max_delay=max_delay, forget_after=window_seconds, clock=clock
        )
        self.shared = (
            SharedFailures(redis, base_delay=1.0, max_delay=max_delay, forget_after=window_seconds)
            if redis is not None
            else None
        )
        # Reserving counts toward the allowance, so no more than ``per_pair`` attempts of
        # a pair are ever evaluated before the backoff, concurrent or not.
        self.pair_rule = Rule(free=per_pair, in_flight=per_pair)
        self.address_rule = Rule(free=per_address, in_flight=ADDRESS_IN_FLIGHT)
        self.guess_rule = Rule(free=per_pair, in_flight=1)

    async def _reserve(self, rules: list[tuple[str, Rule]], reset: list[str]) -> Attempt:
        if self.shared is not None:
            refused = await self.shared.check([key for key, _ in rules])
            if refused is not None:
                raise refused
        local = self.failures.reserve(rules, reset_on_success=reset)
        return Attempt(local, self.shared, rules, reset)

    async def reserve_login(self, username: str, address: str) -> Attempt:
        pair = f"login:{address}|{username.casefold()}"
        rules = [(pair, self.pair_rule), (f"login-address:{address}", self.address_rule)]
        return await self._reserve(rules, [pair])

    async def reserve_guess(self, what: str, who: str) -> Attempt:
        """A guess of ``what`` (``password``, ``server-key``) by ``who`` (a user id)."""
        key = f"{what}:{who}"
        return await self._reserve([(key, self.guess_rule)], [key])
