from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.users.models import ApiKey, AuditLog, Role, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int, *, refresh: bool = False) -> User | None:
        return await self.session.get(User, user_id, populate_existing=refresh)

    async def lock_active_admins(self) -> None:
        """Take the write lock on every active admin row before counting them.

        A no-op UPDATE rather than ``SELECT … FOR UPDATE``: it locks the rows on
        PostgreSQL and takes the database write lock on SQLite (where reads before the
        first write run outside the transaction), so it serializes on both.
        """
        await self.session.execute(
            update(User)
            .where(User.role == Role.admin.value, User.is_active.is_(True))
            .values(role=User.role, updated_at=User.updated_at)
            .execution_options(synchronize_session=False)
        )

    async def by_username(self, username: str) -> User | None:
        stmt = select(User).where(func.lower(User.username) == username.lower())
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def count(self) -> int:
        return (await self.session.execute(select(func.count(User.id)))).scalar_one()

    async def count_active_admins(self) -> int:
        stmt = select(func.count(User.id)).where(
            User.role == Role.admin.value, User.is_active.is_(True)
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def page(
        self, *, offset: int, limit: int, search: str | None
    ) -> tuple[Sequence[User], int]:
        stmt = select(User)
        if search:
            like = f"%{search.lower()}%"
            stmt = stmt.where(
                func.lower(User.username).like(like) | func.lower(User.email).like(like)
            )
        total = (
            await self.session.execute(select(func.count()).select_from(stmt.subquery()))
        ).scalar_one()
        rows = (
            (await self.session.execute(stmt.order_by(User.username).offset(offset).limit(limit)))
            .scalars()
            .all()
        )
        return rows, total

    def add(self, user: User) -> None:
        self.session.add(user)


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        stmt = select(ApiKey).where(ApiKey.key_hash == key_hash)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def for_user(self, user_id: int) -> Sequence[ApiKey]:
        stmt = select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at.desc())
        return (await self.session.execute(stmt)).scalars().all()

    async def get(self, key_id: int) -> ApiKey | None:
        return await self.session.get(ApiKey, key_id)

    async def revoke_all(self, user_id: int, now: datetime) -> int:
        stmt = (
            update(ApiKey)
            .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _filtered(
        action: str | None, user_id: int | None, since: datetime | None
    ) -> Select[AuditLog]:
        stmt = select(AuditLog)
        if action:
            stmt = stmt.where(AuditLog.action == action)
        if user_id is not None:
            stmt = stmt.where(AuditLog.user_id == user_id)
        if since is not None:
            stmt = stmt.where(AuditLog.created_at >= since)
        return stmt

    async def newest(
        self, *, limit: int, action: str | None, user_id: int | None, since: datetime | None
    ) -> Sequence[AuditLog]:
        """The newest ``limit`` entries matching the filters (the CSV export)."""
        stmt = self._filtered(action, user_id, since)
        stmt = stmt.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)
        return (await self.session.scalars(stmt)).all()

    async def page(
        self,
        *,
        offset: int,
        limit: int,
        action: str | None = None,
        user_id: int | None = None,
        since: datetime | None = None,
    ) -> tuple[Sequence[AuditLog], int]:
        stmt = self._filtered(action, user_id, since)
        total = (
            await self.session.execute(select(func.count()).select_from(stmt.subquery()))
        ).scalar_one()
        rows = (
            (
                await self.session.execute(
                    stmt.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
                    .offset(offset)
                    .limit(limit)
                )
            )
            .scalars()
            .all()
        )
        return rows, total
