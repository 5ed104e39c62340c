"""Findings 1-4 of issue 11: logins under attack, against the app served by uvicorn.

1. A burst of wrong passwords used to hold every pooled connection (the login kept its
   session's connection while the failure audit waited for a second one): everything that
   needed the database froze for the pool timeout, and logins answered 500.
2. argon2 ran on the event loop: concurrent logins stalled every other request.
3. The per-user limit was checked before and counted after the password check: twelve
   concurrent attempts were all evaluated, and the last one (right password) got in.
4. Five wrong passwords a minute from anywhere locked ``admin`` out; an inactive user's
   failed login cost no argon2 verify (timing told inactive accounts apart).

Times are measured by ``bench/login_burst.py``, not asserted here.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.auth.throttle import FailureThrottle, LoginThrottle, Rule, Throttled
from evodash.core.config import Settings
from evodash.core.security import HashingBusy, PasswordHashing
from evodash.users.models import AuditLog
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live import LiveServer
from tests.security.conftest import HeadersFor, client_from


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def _failed_logins(db: async_sessionmaker[AsyncSession], username: str) -> int:
    async with db() as session:
        stmt = select(func.count(AuditLog.id)).where(
            AuditLog.action == "auth.login_failed", AuditLog.username == username
        )
        return int((await session.execute(stmt)).scalar_one())


@pytest.mark.commits  # served by uvicorn, concurrent requests
class TestBurstOfBadLogins:
    """Finding 1 (and the "done when" of the issue): 40 concurrent bad logins from one
    address, while a user works and another logs in from elsewhere."""

    async def test_nothing_freezes_nothing_fails_and_others_get_in(
        self, live: LiveServer, users: UserFactory, as_user: HeadersFor
    ) -> None:
        admin = await users.admin(username="admin")
        await users.operator(username="maria")
        headers = await as_user(admin)
        async with (
            client_from(live, "127.0.0.2") as attacker,
            client_from(live, "127.0.0.3") as office,
        ):
            burst = [
                _login(attacker, "admin" if n % 2 else f"ghost{n}", f"guess-{n}") for n in range(40)
            ]
            meanwhile = [office.get("/healthz") for _ in range(5)] + [
                office.get("/api/users", headers=headers) for _ in range(5)
            ]
            answers = await asyncio.gather(*burst, *meanwhile)
            statuses = Counter(r.status_code for r in answers[:40])
            assert set(statuses) <= {401, 429}, statuses
            assert statuses[429] > 0  # the address was throttled, not evaluated 40 times
            assert [r.status_code for r in answers[40:]] == [200] * 10
            # Another user, from another address, right after the burst:
            assert (await _login(office, "maria", DEFAULT_PASSWORD)).status_code == 200
            # And the user under attack too, from their own address.
            assert (await _login(office, "admin", DEFAULT_PASSWORD)).status_code == 200


class TestPasswordHashingOffTheLoop:
    """Finding 2: argon2 runs in worker threads, a bounded number at once, queued."""

    async def test_checks_run_in_worker_threads(self) -> None:
        hashing = PasswordHashing(concurrency=2, max_waiting=8)
        ident = await hashing._run(threading.get_ident)
        assert ident != threading.get_ident()

    async def test_at_most_concurrency_checks_run_at_once_the_rest_queue(self) -> None:
        hashing = PasswordHashing(concurrency=2, max_waiting=8)
        release = threading.Event()
        lock = threading.Lock()
        running, peak = 0, 0

        def slow_check() -> None:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            release.wait(10)
            with lock:
                running -= 1

        tasks = [asyncio.create_task(hashing._run(slow_check)) for _ in range(5)]
        for _ in range(200):  # wait (on a condition) until the first two are inside
            if running == 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # room for a third to (wrongly) start
        assert running == 2
        release.set()
        await asyncio.gather(*tasks)
        assert peak == 2

    async def test_a_full_queue_refuses_instead_of_growing(self) -> None:
        hashing = PasswordHashing(concurrency=1, max_waiting=3)
        release = threading.Event()
        tasks = [asyncio.create_task(hashing._run(release.wait, 10)) for _ in range(3)]
        await asyncio.sleep(0)
        with pytest.raises(HashingBusy):
            await hashing._run(release.wait, 10)
        release.set()
        await asyncio.gather(*tasks)

    async def test_a_full_queue_answers_503_with_retry_after(
        self, client: httpx.AsyncClient, app: FastAPI, users: UserFactory
    ) -> None:
        await users.viewer(username="queued")
        hashing: PasswordHashing = app.state.passwords
        hashing._waiting = hashing._max_waiting  # as if that many logins were waiting
        try:
            response = await _login(client, "queued", DEFAULT_PASSWORD)
        finally:
            hashing._waiting = 0
        assert response.status_code == 503
        assert response.json()["error"] == "login_busy"
        assert response.headers["Retry-After"]


@pytest.mark.commits  # served by uvicorn, concurrent requests
class TestLoginRace:
    """Finding 3: attempts are reserved before the password is checked."""

    async def test_concurrent_guesses_are_not_all_evaluated(
        self,
        live: LiveServer,
        users: UserFactory,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        await users.viewer(username="target")
        async with client_from(live, "127.0.0.4") as attacker:
            answers = await asyncio.gather(
                *(_login(attacker, "target", f"wrong-{n}") for n in range(12))
            )
            statuses = Counter(r.status_code for r in answers)
            assert set(statuses) <= {401, 429} and statuses[429] > 0, statuses
            assert await _failed_logins(db, "target") == statuses[401]

    async def test_the_limit_holds_when_the_last_free_attempts_race(
        self,
        live: LiveServer,
        users: UserFactory,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        """One free attempt left, then eleven wrong guesses and the right password at once:
        before, all twelve were evaluated (limit blown, and the right one got in)."""
        await users.viewer(username="target")
        limit = settings.login_max_attempts
        async with client_from(live, "127.0.0.5") as attacker:
            for n in range(limit - 1):
                assert (await _login(attacker, "target", f"first-{n}")).status_code == 401
            guesses = [f"wrong-{n}" for n in range(11)] + [DEFAULT_PASSWORD]
            answers = await asyncio.gather(*(_login(attacker, "target", g) for g in guesses))
        statuses = Counter(r.status_code for r in answers)
        assert set(statuses) <= {200, 401, 429}, statuses
        evaluated = statuses[200] + statuses[401]
        assert evaluated == 1  # the one attempt left, whichever it was
        assert await _failed_logins(db, "target") <= limit
        if statuses[200]:  # the right password was the one evaluated: fair
            assert answers[-1].status_code == 200


@pytest.mark.commits  # served by uvicorn, concurrent requests
class TestNoLockoutByOutsiders:
    """Finding 4: throttling is per address and per (address, user), never per user."""

    async def test_guesses_from_one_address_do_not_lock_the_user_out_elsewhere(
        self, live: LiveServer, users: UserFactory, settings: Settings
    ) -> None:
        await users.admin(username="admin")
        async with (
            client_from(live, "127.0.0.6") as attacker,
            client_from(live, "127.0.0.7") as owner,
        ):
            for n in range(settings.login_max_attempts + 3):
                assert (await _login(attacker, "admin", f"nope-{n}")).status_code in (401, 429)
            assert (await _login(attacker, "admin", DEFAULT_PASSWORD)).status_code == 429
            assert (await _login(owner, "admin", DEFAULT_PASSWORD)).status_code == 200

    async def test_every_failed_login_costs_one_password_check(
        self, client: httpx.AsyncClient, app: FastAPI, users: UserFactory
    ) -> None:
        await users.viewer(username="active")
        await users.viewer(username="dormant", is_active=False)
        hashing: PasswordHashing = app.state.passwords
        for username, password in (
            ("nobody", "whatever"),  # unknown user
            ("dormant", DEFAULT_PASSWORD),  # inactive user, right password
            ("dormant", "wrong"),  # inactive user, wrong password
            ("active", "wrong"),  # wrong password
        ):
            before = hashing.checks
            response = await _login(client, username, password)
            assert response.status_code == 401
            assert response.json()["error"] == "invalid_credentials"
            assert hashing.checks == before + 1, username


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestBackoff:
    """Finding 4: after the free attempts each failure doubles the wait, up to a cap."""

    def test_waits_double_after_the_free_attempts_up_to_the_cap(self) -> None:
        clock = Clock()
        throttle = FailureThrottle(base_delay=1.0, max_delay=8.0, forget_after=60, clock=clock)
        rule = Rule(free=3, in_flight=1)
        waits = []
        for _ in range(8):
            while True:
                try:
                    throttle.reserve([("k", rule)]).failed()
                    break
                except Throttled as exc:
                    waits.append(exc.retry_after)
                    clock.now += exc.retry_after
        # Three failures free, then a wait before each of the five further attempts.
        assert waits == [1, 2, 4, 8, 8]

    async def test_success_resets_the_pair_but_not_the_address(self) -> None:
        clock = Clock()
        throttle = LoginThrottle(
            per_pair=2, per_address=3, window_seconds=60, max_delay=60, clock=clock
        )
        for _ in range(2):
            await (await throttle.reserve_login("ana", "10.0.0.1")).failed()
        with pytest.raises(Throttled):
            await throttle.reserve_login("ana", "10.0.0.1")
        clock.now += 1
        await (await throttle.reserve_login("ana", "10.0.0.1")).succeeded()
        # The pair starts afresh…
        await (await throttle.reserve_login("ana", "10.0.0.1")).failed()
        with pytest.raises(Throttled):  # …but the address has used its 3 free failures
            await throttle.reserve_login("bob", "10.0.0.1")

    def test_a_quiet_period_after_the_block_forgets_the_failures(self) -> None:
        def wait_after_one_more_failure(quiet: float) -> int:
            clock = Clock()
            throttle = FailureThrottle(
                base_delay=1.0, max_delay=100.0, forget_after=10, clock=clock
            )
            rule = Rule(free=1, in_flight=1)
            throttle.reserve([("k", rule)]).failed()  # blocked 1 s
            clock.now += 1
            throttle.reserve([("k", rule)]).failed()  # blocked 2 s
            clock.now += 2 + quiet
            throttle.reserve([("k", rule)]).failed()
            with pytest.raises(Throttled) as info:
                throttle.reserve([("k", rule)])
            return info.value.retry_after

        assert wait_after_one_more_failure(quiet=9) == 4  # still counting: 1, 2, 4
        assert wait_after_one_more_failure(quiet=10) == 1  # forgotten: starts again

    def test_only_in_flight_attempts_are_refused_while_one_runs(self) -> None:
        throttle = FailureThrottle(clock=Clock())
        rule = Rule(free=5, in_flight=1)
        first = throttle.reserve([("k", rule)])
        with pytest.raises(Throttled) as info:
            throttle.reserve([("k", rule)])
        assert info.value.retry_after == 1
        first.cancel()
        throttle.reserve([("k", rule)]).cancel()
