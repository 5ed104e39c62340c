"""User management rules (admins only, enforced by the router's dependencies)."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.auth.errors import RoleRequired
from evodash.auth.service import end_all_sessions
from evodash.core.errors import BadRequest
from evodash.core.security import PasswordHashing, generate_password, hash_password
from evodash.users import audit
from evodash.users.errors import LastAdmin, UsernameTaken, UserNotFound
from evodash.users.models import Role, User
from evodash.users.repository import UserRepository
from evodash.users.schemas import UserCreate, UserUpdate

log = structlog.get_logger(__name__)


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise UserNotFound()
    return user


async def list_users(
    session: AsyncSession, *, offset: int, limit: int, search: str | None
) -> tuple[Sequence[User], int]:
    return await UserRepository(session).page(offset=offset, limit=limit, search=search)


async def create_user(
    session: AsyncSession,
    data: UserCreate,
    passwords: PasswordHashing,
    *,
    actor: User | None,
    ip: str | None,
) -> tuple[User, str | None]:
    repo = UserRepository(session)
    if await repo.by_username(data.username) is not None:
        raise UsernameTaken(data.username)
    generated = None if data.password else generate_password()
    user = User(
        username=data.username,
        email=data.email,
        role=data.role.value,
        password_hash=await passwords.hash(data.password or generated or ""),
        is_active=True,
        token_version=0,
    )
    repo.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent create took the name (in any case) first
        raise UsernameTaken(data.username) from exc
    audit.record(
        session,
        actor,
        "user.created",
        object_type="user",
        object_id=user.id,
        detail={"username": user.username, "role": user.role},
        ip=ip,
    )
    return user, generated


async def update_user(
    session: AsyncSession, user_id: int, data: UserUpdate, *, actor: User, ip: str | None
) -> User:
    user = await get_user(session, user_id)
    changes = data.model_dump(exclude_unset=True)
    demoting = "role" in changes and changes["role"] != Role.admin and user.role == Role.admin
    deactivating = changes.get("is_active") is False and user.is_active
    if (demoting or deactivating) and user.role == Role.admin:
        if user.id == actor.id:
            raise BadRequest("You cannot demote or deactivate yourself.")
        await _keep_an_admin(session, user, actor)
    for key, value in changes.items():
        if key == "role" and value is not None:
            user.role = Role(value).value
        elif key == "is_active" and value is not None:
            user.is_active = bool(value)
        elif key == "email":
            user.email = value
    if deactivating or demoting:
        # Sign the user out everywhere (API keys stop working while inactive).
        await end_all_sessions(session, user, revoke_api_keys=False)
    audit.record(
        session,
        actor,
        "user.updated",
        object_type="user",
        object_id=user.id,
        detail={k: str(v) for k, v in changes.items()},
        ip=ip,
    )
    return user


async def _keep_an_admin(session: AsyncSession, user: User, actor: User) -> None:
    """Refuse to remove ``user``'s admin rights if no other active admin would remain.

    Two admins demoting each other at once must not both succeed: the active admin rows
    are locked first (PostgreSQL row locks; SQLite's write lock), so the second request
    counts after the first committed. The actor is read again too: demoted meanwhile,
    they may not go on.
    """
    repo = UserRepository(session)
    await repo.lock_active_admins()
    fresh_actor = await repo.get(actor.id, refresh=True)
    if fresh_actor is None or fresh_actor.role != Role.admin or not fresh_actor.is_active:
        raise RoleRequired(Role.admin.value)
    await repo.get(user.id, refresh=True)
    if user.role != Role.admin or not user.is_active:
        return  # already no admin: nothing to keep
    if await repo.count_active_admins() <= 1:
        raise LastAdmin()


async def reset_password(
    session: AsyncSession,
    user_id: int,
    password: str | None,
    passwords: PasswordHashing,
    *,
    revoke_api_keys: bool,
    actor: User,
    ip: str | None,
) -> str | None:
    """Set a new password; the user's sessions end (and their API keys, if asked)."""
    user = await get_user(session, user_id)
    generated = None if password else generate_password()
    user.password_hash = await passwords.hash(password or generated or "")
    await end_all_sessions(session, user, revoke_api_keys=revoke_api_keys)
    audit.record(
        session,
        actor,
        "user.password_reset",
        object_type="user",
        object_id=user.id,
        detail={"api_keys_revoked": revoke_api_keys},
        ip=ip,
    )
    return generated


async def ensure_first_admin(session: AsyncSession) -> str | None:
    """Create ``admin`` with a random password when there are no users at all.

    Returns the password so the caller can print it once; None when users exist.
    """
    repo = UserRepository(session)
    if await repo.count() > 0:
        return None
    password = generate_password()
    repo.add(
        User(
            username="admin",
            email=None,
            role=Role.admin.value,
            # At startup, before any request: a blocking hash here stalls nobody.
            password_hash=hash_password(password),
            is_active=True,
            token_version=0,
        )
    )
    audit.record(session, None, "user.bootstrap_admin", object_type="user", username="admin")
    return password
