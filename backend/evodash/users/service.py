"""User management rules (admins only, enforced by the router's dependencies)."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.errors import BadRequest
from evodash.core.security import generate_password, hash_password
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
    session: AsyncSession, data: UserCreate, *, actor: User | None, ip: str | None
) -> tuple[User, str | None]:
    repo = UserRepository(session)
    if await repo.by_username(data.username) is not None:
        raise UsernameTaken(data.username)
    generated = None if data.password else generate_password()
    user = User(
        username=data.username,
        email=data.email,
        role=data.role.value,
        password_hash=hash_password(data.password or generated or ""),
        is_active=True,
        token_version=0,
    )
    repo.add(user)
    await session.flush()
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
        if await UserRepository(session).count_active_admins() <= 1:
            raise LastAdmin()
    for key, value in changes.items():
        if key == "role" and value is not None:
            user.role = Role(value).value
        elif key == "is_active" and value is not None:
            user.is_active = bool(value)
        elif key == "email":
            user.email = value
    if deactivating or demoting:
        user.token_version += 1  # sign the user out everywhere
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


async def reset_password(
    session: AsyncSession, user_id: int, password: str | None, *, actor: User, ip: str | None
) -> str | None:
    user = await get_user(session, user_id)
    generated = None if password else generate_password()
    user.password_hash = hash_password(password or generated or "")
    user.token_version += 1
    audit.record(
        session, actor, "user.password_reset", object_type="user", object_id=user.id, ip=ip
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
            password_hash=hash_password(password),
            is_active=True,
            token_version=0,
        )
    )
    audit.record(session, None, "user.bootstrap_admin", object_type="user", username="admin")
    return password
