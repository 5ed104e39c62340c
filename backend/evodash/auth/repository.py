"""SQL of server-side sessions and WebSocket tickets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.auth.models import AuthSession, SessionKind
from evodash.users.models import User


class AuthSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: AuthSession) -> None:
        self.session.add(row)

    async def with_user(self, session_id: str) -> tuple[AuthSession, User] | None:
        """The session row and its user, in one round trip."""
        stmt = (
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.id == session_id)
        )
        row = (await self.session.execute(stmt)).one_or_none()
        return None if row is None else (row[0], row[1])

    async def get(self, session_id: str) -> AuthSession | None:
        return await self.session.get(AuthSession, session_id)

    async def active_for_user(self, user_id: int, now: datetime) -> Sequence[AuthSession]:
        stmt = (
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
                AuthSession.kind != SessionKind.ws_ticket.value,
            )
            .order_by(AuthSession.created_at.desc())
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def revoke(self, session_id: str, now: datetime) -> bool:
        stmt = (
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def revoke_all(self, user_id: int, now: datetime) -> int:
        stmt = (
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def consume_ticket(self, ticket: str, now: datetime) -> bool:
        """Mark an unused, unexpired ticket used; False when it was not (one winner)."""
        stmt = (
            update(AuthSession)
            .where(
                AuthSession.id == ticket,
                AuthSession.kind == SessionKind.ws_ticket.value,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
            .values(revoked_at=now)
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def purge_expired(self, user_id: int, before: datetime) -> None:
        """Forget a user's sessions that ended before ``before`` (kept a while for the log)."""
        await self.session.execute(
            delete(AuthSession).where(
                AuthSession.user_id == user_id, AuthSession.expires_at < before
            )
        )
