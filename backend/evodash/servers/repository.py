"""SQL of the servers domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.instances.models import EvolutionInstance
from evodash.servers.models import EvolutionServer
from evodash.teams.scope import EVERYTHING, Scope


class ServerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, server_id: int) -> EvolutionServer | None:
        return await self.session.get(EvolutionServer, server_id)

    async def by_ids(self, ids: Sequence[int]) -> dict[int, EvolutionServer]:
        if not ids:
            return {}
        stmt = select(EvolutionServer).where(EvolutionServer.id.in_(set(ids)))
        return {s.id: s for s in (await self.session.execute(stmt)).scalars()}

    async def by_name(self, name: str) -> EvolutionServer | None:
        stmt = select(EvolutionServer).where(func.lower(EvolutionServer.name) == name.lower())
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def by_url(self, base_url: str) -> EvolutionServer | None:
        stmt = select(EvolutionServer).where(EvolutionServer.base_url == base_url)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def page(
        self, *, offset: int, limit: int, scope: Scope = EVERYTHING
    ) -> tuple[Sequence[EvolutionServer], int]:
        visible = scope.servers(EvolutionServer.id)
        total = (
            await self.session.execute(select(func.count(EvolutionServer.id)).where(visible))
        ).scalar_one()
        stmt = (
            select(EvolutionServer)
            .where(visible)
            .order_by(EvolutionServer.name)
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all(), total

    async def instance_counts(
        self, server_ids: Sequence[int], scope: Scope = EVERYTHING
    ) -> dict[int, tuple[int, int]]:
        """``{server id: (live instances, deleted instances that keep history)}``."""
        if not server_ids:
            return {}
        deleted = EvolutionInstance.deleted_at.is_not(None)
        stmt = (
            select(
                EvolutionInstance.server_id,
                func.count(EvolutionInstance.id).filter(~deleted),
                func.count(EvolutionInstance.id).filter(deleted),
            )
            .where(
                EvolutionInstance.server_id.in_(set(server_ids)),
                scope.instances(EvolutionInstance.id),
            )
            .group_by(EvolutionInstance.server_id)
        )
        counts = {sid: (0, 0) for sid in server_ids}
        for server_id, live, gone in (await self.session.execute(stmt)).all():
            counts[server_id] = (live, gone)
        return counts

    async def live_instances(self, server_id: int) -> Sequence[EvolutionInstance]:
        stmt = select(EvolutionInstance).where(
            EvolutionInstance.server_id == server_id, EvolutionInstance.deleted_at.is_(None)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def delete_instances(self, server_id: int) -> None:
        """Delete every instance row of the server; the database cascades to their data."""
        await self.session.execute(
            delete(EvolutionInstance)
            .where(EvolutionInstance.server_id == server_id)
            .execution_options(synchronize_session="fetch")
        )

    def add(self, server: EvolutionServer) -> None:
        self.session.add(server)

    async def delete(self, server: EvolutionServer) -> None:
        await self.session.delete(server)
