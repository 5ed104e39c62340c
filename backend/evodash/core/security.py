"""Passwords, JWTs, API keys and encryption at rest.

- Passwords: passlib with argon2 (passlib's bcrypt handler breaks with bcrypt 5).
- Session and bearer tokens: HS256 JWTs via python-jose, the algorithm pinned on decode
  and expiry enforced.
- Evolution keys and instance tokens: Fernet, with a key derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken
from jose import JWTError, jwt
from passlib.context import CryptContext

from evodash.core.db import utcnow

T = TypeVar("T")

JWT_ALGORITHM = "HS256"
API_KEY_PREFIX = "evd_"

#: passlib's argon2 defaults (argon2id, 64 MiB, t=3, p=4): about 0.15 s a hash on 2 cores.
_PRODUCTION_ARGON2: dict[str, Any] = {}
#: The cheapest parameters argon2 accepts. Tests create and log in thousands of users; the
#: stored hash carries its parameters, so verifying works whatever the context's are.
_TEST_ARGON2: dict[str, Any] = {
    "argon2__time_cost": 1,
    "argon2__memory_cost": 8,
    "argon2__parallelism": 1,
}

_hashing_environment = "production"


def configure_password_hashing(environment: str) -> None:
    """Pick the argon2 parameters for new hashes: minimal under ``ENVIRONMENT=test``.

    ``create_app`` and the CLI call it with their settings; until then (and for every
    other environment) production parameters apply.
    """
    global _hashing_environment
    _hashing_environment = environment


def cheap_hashing() -> bool:
    """Whether new hashes and derived keys take the cheapest parameters (``ENVIRONMENT=test``
    since :func:`configure_password_hashing`): passwords here, backup passphrases in
    :mod:`evodash.backups.crypto`."""
    return _hashing_environment == "test"


@lru_cache(maxsize=2)
def _context(cheap: bool) -> CryptContext:
    params = _TEST_ARGON2 if cheap else _PRODUCTION_ARGON2
    return CryptContext(schemes=["argon2"], deprecated="auto", **params)


def _pwd() -> CryptContext:
    return _context(cheap_hashing())


@lru_cache(maxsize=2)
def _dummy_hash(cheap: bool) -> str:
    # Verifying against a real hash of the same cost keeps "unknown user" as slow as
    # "wrong password".
    return _context(cheap).hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _pwd().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _pwd().verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def burn_password_check(password: str) -> None:
    _pwd().verify(password, _dummy_hash(cheap_hashing()))


class HashingBusy(Exception):
    """Too many password checks are waiting already; the caller should answer 503."""


def _lower_thread_priority() -> None:
    # Linux: a thread's nice value is its own and inherited by the threads it starts
    # (argon2's lanes), so hashing yields the CPU to the event loop's thread. Raising
    # one's own nice value needs no privilege; where it is not supported, nothing changes.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


#: How much lower than the event loop password hashing runs (nice value, 0-19).
HASHING_NICENESS = 10


class PasswordHashing:
    """argon2 off the event loop: at most ``concurrency`` hashes at once, others queue.

    One argon2 verify takes ~0.15 s of CPU (64 MiB); on the event loop a few concurrent
    logins would stall every other request. Here each runs in one of ``concurrency``
    dedicated threads (argon2-cffi releases the GIL) at a lower CPU priority than the
    event loop, in arrival order. When ``max_waiting`` checks already wait, the next one
    is refused (:class:`HashingBusy`) instead of queueing for ever. ``close()`` it when
    the app stops.
    """

    def __init__(self, *, concurrency: int, max_waiting: int) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=concurrency,
            thread_name_prefix="argon2",
            initializer=_lower_thread_priority,
        )
        self._max_waiting = max_waiting
        self._waiting = 0
        #: Password checks started (verifies and burns): every failed login costs one.
        self.checks = 0

    def _done(self, _: object) -> None:
        self._waiting -= 1

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._waiting >= self._max_waiting:
            raise HashingBusy()
        self._waiting += 1
        future = self._executor.submit(fn, *args)
        # Counted until the work itself ends, not until the caller stops waiting: a
        # cancelled request cannot make room in the queue while its hash still runs.
        future.add_done_callback(self._done)
        return await asyncio.wrap_future(future)

    async def hash(self, password: str) -> str:
        return await self._run(hash_password, password)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """Check ``password``; with no hash (unknown user) burn the same time, say False."""
        self.checks += 1
        if password_hash is None:
            await self._run(burn_password_check, password)
            return False
        return await self._run(verify_password, password, password_hash)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def generate_password(length: int = 20) -> str:
    return secrets.token_urlsafe(length)[:length]


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    token_version: int
    expires_at: datetime
    kind: str
    #: The server-side session row (``auth_session.id``); tokens without one are refused.
    session_id: str | None


class InvalidTokenError(Exception):
    """The token is malformed, signed with another key or algorithm, or expired."""


def create_access_token(
    *,
    user_id: int,
    token_version: int,
    secret: str,
    expires_in: timedelta,
    kind: str,
    session_id: str,
) -> tuple[str, datetime]:
    now = utcnow()
    expires_at = now + expires_in
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "ver": token_version,
        "kind": kind,
        "sid": session_id,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM), expires_at


def decode_access_token(token: str, *, secret: str) -> TokenClaims:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != JWT_ALGORITHM:
            raise InvalidTokenError("unexpected algorithm")
        payload = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require_exp": True, "require_sub": True, "verify_exp": True},
        )
        return TokenClaims(
            user_id=int(payload["sub"]),
            token_version=int(payload.get("ver", 0)),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), tz=utcnow().tzinfo),
            kind=str(payload.get("kind", "bearer")),
            session_id=str(payload["sid"]) if payload.get("sid") else None,
        )
    except (JWTError, KeyError, ValueError, TypeError) as exc:
        raise InvalidTokenError(str(exc)) from exc


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    # API keys are long random strings: a fast hash is enough and allows indexed lookup.
    return hashlib.sha256(key.encode()).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    return "whs_" + secrets.token_urlsafe(32)


def constant_time_equals(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(b"evodash-encryption:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str, *, secret: str) -> str:
    return _fernet(secret).encrypt(value.encode()).decode()


def decrypt(value: str, *, secret: str) -> str:
    try:
        return _fernet(secret).decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "cannot decrypt a stored secret: SECRET_KEY changed since it was saved"
        ) from exc


def last4(value: str) -> str:
    return value[-4:] if len(value) >= 4 else value
