"""Factories that write real rows, for tests."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.security import hash_password
from evodash.instances.models import EvolutionInstance
from evodash.servers.models import EvolutionServer
from evodash.users.models import Role, User

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hashes: dict[str, str] = {}


def _hash(password: str) -> str:
    # argon2 is slow on purpose; tests create many users with the same password.
    if password not in _hashes:
        _hashes[password] = hash_password(password)
    return _hashes[password]


class UserFactory:
    def __init__(self, db: async_sessionmaker[AsyncSession]) -> None:
        self.db = db

    async def create(
        self,
        role: Role | str = Role.viewer,
        *,
        username: str | None = None,
        password: str = DEFAULT_PASSWORD,
        is_active: bool = True,
    ) -> User:
        user = User(
            username=username or f"user{next(_counter)}",
            email=None,
            role=Role(role).value,
            password_hash=_hash(password),
            is_active=is_active,
            token_version=0,
        )
        async with self.db() as session:
            session.add(user)
            await session.commit()
        return user

    async def admin(self, **kwargs: object) -> User:
        return await self.create(Role.admin, **kwargs)  # type: ignore[arg-type]

    async def operator(self, **kwargs: object) -> User:
        return await self.create(Role.operator, **kwargs)  # type: ignore[arg-type]

    async def viewer(self, **kwargs: object) -> User:
        return await self.create(Role.viewer, **kwargs)  # type: ignore[arg-type]


async def add_server(session: AsyncSession) -> EvolutionServer:
    """A server row (never called: its URL and key are placeholders), flushed."""
    server = EvolutionServer(
        name=f"s{next(_counter)}",
        base_url="http://evo",
        api_key_encrypted="x",
        api_key_last4="x",
    )
    session.add(server)
    await session.flush()
    return server


async def add_instance(
    session: AsyncSession,
    name: str = "i",
    *,
    display_name: str | None = None,
    server: EvolutionServer | None = None,
) -> EvolutionInstance:
    """An instance row, on ``server`` or on a new one, flushed."""
    server = server or await add_server(session)
    instance = EvolutionInstance(
        server_id=server.id, display_name=display_name or name.upper(), name=name
    )
    session.add(instance)
    await session.flush()
    return instance
