"""Server-side sessions: start, check, revoke, list; WebSocket tickets.

A session token is a JWT naming its row (``sid``). The JWT proves who signed it; the row
says whether it still holds. Every check reads the row, so a revocation made by any API
process is seen by all of them at their next request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.auth.models import AuthSession, SessionKind
from evodash.auth.repository import AuthSessionRepository
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.security import (
    InvalidTokenError,
    create_access_token,
    decode_access_token,
    new_session_id,
)
from evodash.users.models import ApiKey, User

#: How long ended sessions stay listed for the audit trail before a login purges them.
KEEP_ENDED = timedelta(days=7)

AuthMethod = Literal["session", "bearer", "api_key"]


@dataclass(frozen=True)
class AuthContext:
    """Who is calling and with what credential."""

    user: User
    method: AuthMethod
    session_id: str | None = None
    api_key: ApiKey | None = None


def _user_agent(value: str | None) -> str | None:
    return value[:200] if value else None


async def start_session(
    session: AsyncSession,
    user: User,
    settings: Settings,
    *,
    kind: SessionKind,
    ip: str | None,
    user_agent: str | None,
    expires_in: timedelta | None = None,
) -> tuple[str, datetime, str]:
    """Write a session row and sign its token: ``(token, expires_at, session id)``."""
    now = utcnow()
    repo = AuthSessionRepository(session)
    await repo.purge_expired(user.id, now - KEEP_ENDED)
    lifetime = expires_in or timedelta(minutes=settings.access_token_expire_minutes)
    session_id = new_session_id()
    token, expires_at = create_access_token(
        user_id=user.id,
        token_version=user.token_version,
        secret=settings.secret(),
        expires_in=lifetime,
        kind=kind.value,
        session_id=session_id,
    )
    repo.add(
        AuthSession(
            id=session_id,
            user_id=user.id,
            kind=kind.value,
            created_at=now,
            expires_at=expires_at,
            ip_address=ip,
            user_agent=_user_agent(user_agent),
        )
    )
    await session.flush()
    return token, expires_at, session_id


def _valid(row: AuthSession, user: User, now: datetime) -> bool:
    return row.revoked_at is None and row.expires_at > now and user.is_active


async def from_token(
    session: AsyncSession, token: str, settings: Settings, *, kind: SessionKind
) -> AuthContext | None:
    """The caller of a session or Bearer token, or None (bad, expired or revoked)."""
    try:
        claims = decode_access_token(token, secret=settings.secret())
    except InvalidTokenError:
        return None
    if claims.session_id is None or claims.kind != kind.value:
        return None
    found = await AuthSessionRepository(session).with_user(claims.session_id)
    if found is None:
        return None
    row, user = found
    if row.user_id != claims.user_id or row.kind != kind.value:
        return None
    if not _valid(row, user, utcnow()) or user.token_version != claims.token_version:
        return None
    method: AuthMethod = "session" if kind is SessionKind.session else "bearer"
    return AuthContext(user=user, method=method, session_id=row.id)


async def revoke(session: AsyncSession, session_id: str) -> bool:
    return await AuthSessionRepository(session).revoke(session_id, utcnow())


async def revoke_all(session: AsyncSession, user: User) -> int:
    """End every session, token and ticket of ``user``."""
    return await AuthSessionRepository(session).revoke_all(user.id, utcnow())


async def active_sessions(session: AsyncSession, user: User) -> Sequence[AuthSession]:
    return await AuthSessionRepository(session).active_for_user(user.id, utcnow())


# --- WebSocket tickets --------------------------------------------------------------------


async def issue_ws_ticket(
    session: AsyncSession, ctx: AuthContext, settings: Settings, *, ip: str | None
) -> tuple[str, datetime]:
    """A one-use ticket for ``/api/ws``, valid ``WS_TICKET_SECONDS``, tied to ``ctx``."""
    now = utcnow()
    ticket = new_session_id()
    expires_at = now + timedelta(seconds=settings.ws_ticket_seconds)
    AuthSessionRepository(session).add(
        AuthSession(
            id=ticket,
            user_id=ctx.user.id,
            kind=SessionKind.ws_ticket.value,
            created_at=now,
            expires_at=expires_at,
            ip_address=ip,
            parent_id=ctx.session_id,
            api_key_id=ctx.api_key.id if ctx.api_key is not None else None,
        )
    )
    await session.flush()
    return ticket, expires_at


async def redeem_ws_ticket(session: AsyncSession, ticket: str) -> AuthContext | None:
    """Use a ticket (once): the context it was issued from, if that still holds."""
    repo = AuthSessionRepository(session)
    if not ticket or len(ticket) > 64 or not await repo.consume_ticket(ticket, utcnow()):
        return None
    found = await repo.with_user(ticket)
    if found is None:  # pragma: no cover - the UPDATE above just matched it
        return None
    row, user = found
    ctx = AuthContext(
        user=user,
        method="api_key" if row.api_key_id is not None else "session",
        session_id=row.parent_id,
        api_key=await session.get(ApiKey, row.api_key_id) if row.api_key_id else None,
    )
    return ctx if await still_valid(session, ctx) else None


async def still_valid(session: AsyncSession, ctx: AuthContext) -> bool:
    """Whether the credential behind a long-lived connection still holds (re-read)."""
    now = utcnow()
    user = await session.get(User, ctx.user.id, populate_existing=True)
    if user is None or not user.is_active or user.token_version != ctx.user.token_version:
        return False
    if ctx.session_id is not None:
        row = await session.get(AuthSession, ctx.session_id, populate_existing=True)
        if row is None or not _valid(row, user, now):
            return False
    if ctx.api_key is not None:
        key = await session.get(ApiKey, ctx.api_key.id, populate_existing=True)
        if key is None or key.revoked_at is not None:
            return False
        if key.expires_at is not None and key.expires_at <= now:
            return False
    return True


async def bearer_token_for(
    sessionmaker: async_sessionmaker[AsyncSession],
    user_id: int,
    settings: Settings,
    *,
    expires_in: timedelta,
) -> str:
    """A Bearer token for ``user_id`` without a password (the demo driver, benchmarks,
    tests): a real session row, revocable like any other."""
    async with sessionmaker() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise LookupError(f"no user {user_id}")
        token, _, _ = await start_session(
            session,
            user,
            settings,
            kind=SessionKind.bearer,
            ip=None,
            user_agent="evodash",
            expires_in=expires_in,
        )
        await session.commit()
    return token
