"""Authentication rules: passwords, tokens, API keys, throttling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.auth.errors import InvalidCredentials, LoginThrottled
from evodash.auth.throttle import LoginThrottle
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.errors import BadRequest, NotFound
from evodash.core.security import (
    InvalidTokenError,
    burn_password_check,
    create_access_token,
    decode_access_token,
    hash_api_key,
    hash_password,
    new_api_key,
    verify_password,
)
from evodash.users import audit
from evodash.users.models import ApiKey, User
from evodash.users.repository import ApiKeyRepository, UserRepository


async def authenticate(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    throttle: LoginThrottle,
    *,
    username: str,
    password: str,
    ip: str,
    via: str,
) -> User:
    """Check a username and password, with throttling and an audit entry either way."""
    wait = throttle.retry_after(username, ip)
    if wait is not None:
        await audit.record_detached(
            sessionmaker,
            None,
            "auth.login_throttled",
            username=username,
            ip=ip,
            success=False,
            detail={"via": via, "retry_after": wait},
        )
        raise LoginThrottled(wait)
    user = await UserRepository(session).by_username(username)
    if user is None:
        burn_password_check(password)
    ok = user is not None and user.is_active and verify_password(password, user.password_hash)
    if not ok or user is None:
        throttle.failed(username, ip)
        await audit.record_detached(
            sessionmaker,
            None,
            "auth.login_failed",
            username=username,
            ip=ip,
            success=False,
            detail={"via": via},
        )
        raise InvalidCredentials()
    throttle.succeeded(username)
    user.last_login_at = utcnow()
    audit.record(session, user, "auth.login", ip=ip, detail={"via": via})
    return user


def issue_token(user: User, settings: Settings, *, kind: str) -> tuple[str, datetime]:
    return create_access_token(
        user_id=user.id,
        token_version=user.token_version,
        secret=settings.secret(),
        expires_in=timedelta(minutes=settings.access_token_expire_minutes),
        kind=kind,
    )


async def user_from_token(session: AsyncSession, token: str, settings: Settings) -> User | None:
    try:
        claims = decode_access_token(token, secret=settings.secret())
    except InvalidTokenError:
        return None
    user = await UserRepository(session).get(claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.token_version:
        return None
    return user


async def user_from_api_key(session: AsyncSession, key: str) -> User | None:
    api_key = await ApiKeyRepository(session).by_hash(hash_api_key(key))
    now = utcnow()
    if api_key is None or api_key.revoked_at is not None:
        return None
    if api_key.expires_at is not None and api_key.expires_at <= now:
        return None
    user = await UserRepository(session).get(api_key.user_id)
    if user is None or not user.is_active:
        return None
    # Only write when it changed noticeably: integrators may call many times a second.
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
        api_key.last_used_at = now
    return user


async def change_password(
    session: AsyncSession, user: User, *, current: str, new: str, ip: str
) -> None:
    if not verify_password(current, user.password_hash):
        raise BadRequest("The current password is wrong.")
    user.password_hash = hash_password(new)
    user.token_version += 1
    audit.record(
        session, user, "auth.password_changed", object_type="user", object_id=user.id, ip=ip
    )


async def create_api_key(
    session: AsyncSession, user: User, *, name: str, expires_at: datetime | None, ip: str
) -> tuple[ApiKey, str]:
    key = new_api_key()
    api_key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=key[:12],
        key_hash=hash_api_key(key),
        scopes=[],
        expires_at=expires_at,
    )
    session.add(api_key)
    await session.flush()
    audit.record(
        session,
        user,
        "api_key.created",
        object_type="api_key",
        object_id=api_key.id,
        detail={"name": name},
        ip=ip,
    )
    return api_key, key


async def list_api_keys(session: AsyncSession, user: User) -> Sequence[ApiKey]:
    return await ApiKeyRepository(session).for_user(user.id)


async def revoke_api_key(session: AsyncSession, user: User, key_id: int, *, ip: str) -> ApiKey:
    api_key = await ApiKeyRepository(session).get(key_id)
    if api_key is None or (api_key.user_id != user.id and user.role != "admin"):
        raise NotFound("No such API key.")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        audit.record(
            session, user, "api_key.revoked", object_type="api_key", object_id=api_key.id, ip=ip
        )
    return api_key
