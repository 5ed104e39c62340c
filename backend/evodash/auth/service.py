"""Authentication rules: logins, passwords, API keys.

A login never holds a database connection while it waits: the user is read in a short
session that is closed before the password is checked (in a worker thread, queued behind
at most ``PASSWORD_HASH_CONCURRENCY`` others), and a failure is audited in another short
session. Every failed login costs one argon2 verify, whether the user exists, is inactive
or typed a wrong password, so timing tells nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.auth import sessions
from evodash.auth.errors import (
    ApiKeyCannotCreateKeys,
    ApiKeyOperationDenied,
    InvalidCredentials,
    LoginBusy,
    LoginThrottled,
    WrongCurrentPassword,
)
from evodash.auth.schemas import ApiKeyCreate
from evodash.auth.sessions import AuthContext
from evodash.auth.throttle import Attempt, LoginThrottle, Throttled
from evodash.core.db import utcnow
from evodash.core.errors import BadRequest, NotFound
from evodash.core.security import HashingBusy, PasswordHashing, hash_api_key, new_api_key
from evodash.instances.errors import InstanceNotFound
from evodash.instances.models import EvolutionInstance
from evodash.teams.errors import TeamNotFound
from evodash.teams.models import Team
from evodash.teams.scope import scope_for
from evodash.users import audit
from evodash.users.models import ApiKey, User
from evodash.users.repository import ApiKeyRepository, UserRepository

log = structlog.get_logger(__name__)


async def authenticate(
    sessionmaker: async_sessionmaker[AsyncSession],
    throttle: LoginThrottle,
    passwords: PasswordHashing,
    *,
    username: str,
    password: str,
    ip: str,
    via: str,
) -> User:
    """Check a username and password: the user, or :class:`InvalidCredentials`,
    :class:`LoginThrottled` or :class:`LoginBusy`. Audited either way."""
    try:
        reservation = await throttle.reserve_login(username, ip)
    except Throttled as exc:
        # One warning and audit entry per block, not one per refused request (a burst
        # would otherwise cost a log line and a database write each).
        (log.warning if exc.newly_blocked else log.debug)(
            "auth.login_throttled", username=username, ip=ip, retry_after=exc.retry_after
        )
        if exc.newly_blocked:
            await audit.record_detached(
                sessionmaker,
                None,
                "auth.login_throttled",
                username=username,
                ip=ip,
                success=False,
                detail={"via": via, "retry_after": exc.retry_after},
            )
        raise LoginThrottled(exc.retry_after) from exc
    try:
        async with sessionmaker() as session:  # closed (connection back) before hashing
            user = await UserRepository(session).by_username(username)
        ok = await passwords.verify(password, user.password_hash if user else None)
    except HashingBusy as exc:
        reservation.cancel()
        raise LoginBusy() from exc
    except BaseException:
        reservation.cancel()
        raise
    if not ok or user is None or not user.is_active:
        await reservation.failed()
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
    await reservation.succeeded()
    return user


async def record_login(session: AsyncSession, user: User, *, ip: str, via: str) -> User:
    """The user, loaded in the request's session, stamped and audited as logged in."""
    current = await UserRepository(session).get(user.id)
    if current is None or not current.is_active:  # deleted or deactivated meanwhile
        raise InvalidCredentials()
    current.last_login_at = utcnow()
    audit.record(session, current, "auth.login", ip=ip, detail={"via": via})
    return current


async def user_from_api_key(session: AsyncSession, key: str) -> AuthContext | None:
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
    return AuthContext(user=user, method="api_key", api_key=api_key)


async def _reserve_guess(throttle: LoginThrottle, what: str, user: User) -> Attempt:
    try:
        return await throttle.reserve_guess(what, str(user.id))
    except Throttled as exc:
        raise LoginThrottled(exc.retry_after) from exc


async def change_password(
    session: AsyncSession,
    ctx: AuthContext,
    throttle: LoginThrottle,
    passwords: PasswordHashing,
    *,
    current: str,
    new: str,
    revoke_api_keys: bool,
    ip: str,
) -> None:
    """Set a new password; every session of the user ends (this one included)."""
    user = ctx.user
    reservation = await _reserve_guess(throttle, "password", user)
    try:
        ok = await passwords.verify(current, user.password_hash)
        new_hash = await passwords.hash(new) if ok else None
    except HashingBusy as exc:
        reservation.cancel()
        raise LoginBusy() from exc
    except BaseException:
        reservation.cancel()
        raise
    if not ok or new_hash is None:
        await reservation.failed()
        raise WrongCurrentPassword()
    await reservation.succeeded()
    user.password_hash = new_hash
    await end_all_sessions(session, user, revoke_api_keys=revoke_api_keys)
    audit.record(
        session,
        user,
        "auth.password_changed",
        object_type="user",
        object_id=user.id,
        detail={"api_keys_revoked": revoke_api_keys},
        ip=ip,
    )


async def end_all_sessions(session: AsyncSession, user: User, *, revoke_api_keys: bool) -> int:
    """Revoke every session, token and ticket of ``user`` (and their API keys if asked).

    ``token_version`` is bumped too, so tokens signed before cannot come back even if a
    session row were restored from a backup.
    """
    user.token_version += 1
    ended = await sessions.revoke_all(session, user)
    if revoke_api_keys:
        ended += await ApiKeyRepository(session).revoke_all(user.id, utcnow())
    return ended


async def create_api_key(
    session: AsyncSession,
    ctx: AuthContext,
    *,
    name: str,
    expires_at: datetime | None,
    can_create_keys: bool,
    ip: str,
    limits: ApiKeyCreate | None = None,
) -> tuple[ApiKey, str]:
    if ctx.api_key is not None and not ctx.api_key.can_create_keys:
        raise ApiKeyCannotCreateKeys()
    read_only, operations, instance_ids, team_ids = await _key_limits(session, ctx, limits)
    if expires_at is not None and expires_at <= utcnow():
        raise BadRequest("expires_at must be in the future.")
    limit = ctx.api_key.expires_at if ctx.api_key is not None else None
    if limit is not None and (expires_at is None or expires_at > limit):
        expires_at = limit  # a key cannot outlive the key that made it
    user = ctx.user
    key = new_api_key()
    api_key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=key[:12],
        key_hash=hash_api_key(key),
        scopes=[],
        expires_at=expires_at,
        can_create_keys=can_create_keys,
        read_only=read_only,
        operations=operations,
        instance_ids=instance_ids,
        team_ids=team_ids,
    )
    session.add(api_key)
    await session.flush()
    audit.record(
        session,
        user,
        "api_key.created",
        object_type="api_key",
        object_id=api_key.id,
        detail={
            "name": name,
            "can_create_keys": can_create_keys,
            "via": ctx.method,
            "expires_at": expires_at.isoformat() if expires_at else None,
            "read_only": read_only,
            "operations": operations,
            "instance_ids": instance_ids,
            "team_ids": team_ids,
        },
        ip=ip,
    )
    return api_key, key


async def _key_limits(
    session: AsyncSession, ctx: AuthContext, limits: ApiKeyCreate | None
) -> tuple[bool, list[str], list[int], list[int]]:
    """The limits of a new key: those asked for, never wider than the caller's (a key made
    with a limited key is limited as much; instances and teams outside the caller's scope
    are answered as unknown)."""
    parent = ctx.api_key
    read_only = bool(limits and limits.read_only) or bool(parent and parent.read_only)
    operations = sorted({o.value for o in limits.operations}) if limits else []
    if parent is not None and parent.operations:
        operations = sorted(set(operations or parent.operations) & set(parent.operations))
        if not operations:
            raise ApiKeyOperationDenied("operations outside this key's")
    instance_ids = sorted(set(limits.instance_ids)) if limits else []
    team_ids = sorted(set(limits.team_ids)) if limits else []
    if parent is not None and not (instance_ids or team_ids):
        instance_ids, team_ids = list(parent.instance_ids), list(parent.team_ids)
    scope = await scope_for(session, ctx.user, parent)
    hidden = [i for i in instance_ids if not scope.sees_instance(i)]
    known = set(
        (
            await session.scalars(
                select(EvolutionInstance.id).where(EvolutionInstance.id.in_(instance_ids))
            )
        ).all()
    )
    if hidden or len(known) != len(instance_ids):
        raise InstanceNotFound()
    if team_ids:
        existing = set((await session.scalars(select(Team.id).where(Team.id.in_(team_ids)))).all())
        outside = not scope.unlimited and not set(team_ids) <= set(scope.team_ids)
        if len(existing) != len(team_ids) or outside:
            raise TeamNotFound()
    return read_only, operations, instance_ids, team_ids


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
