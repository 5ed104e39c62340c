"""SQL of the instances domain."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.locking import hold_sqlite_writer
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.teams.scope import EVERYTHING, Scope

_NEXTVAL = text(
    "SELECT nextval(pg_get_serial_sequence('evolution_instance', 'id')) FROM generate_series(1, :n)"
)
#: The largest id handed out by reserve_ids per SQLite engine (rows may not exist yet).
_reserved: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


class InstanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, instance_id: int) -> EvolutionInstance | None:
        """Any instance, deleted ones (kept for their history) included."""
        return await self.session.get(EvolutionInstance, instance_id)

    async def live_by_name(self, server_id: int, name: str) -> EvolutionInstance | None:
        stmt = select(EvolutionInstance).where(
            EvolutionInstance.server_id == server_id,
            EvolutionInstance.name == name,
            EvolutionInstance.deleted_at.is_(None),
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def live_names(self, server_id: int) -> set[str]:
        stmt = select(EvolutionInstance.name).where(
            EvolutionInstance.server_id == server_id, EvolutionInstance.deleted_at.is_(None)
        )
        return set((await self.session.execute(stmt)).scalars())

    async def live(self, ids: Sequence[int] | None = None) -> Sequence[EvolutionInstance]:
        """Live instances (all, or those of ``ids``), in id order."""
        stmt = select(EvolutionInstance).where(EvolutionInstance.deleted_at.is_(None))
        if ids is not None:
            stmt = stmt.where(EvolutionInstance.id.in_(set(ids)))
        return (await self.session.execute(stmt.order_by(EvolutionInstance.id))).scalars().all()

    async def lock_live(self, ids: Sequence[int]) -> dict[int, EvolutionInstance]:
        """Re-read live instances for a state change, locked until the transaction ends.

        On PostgreSQL ``FOR UPDATE`` (taken in id order, so two lockers never deadlock);
        on SQLite the single write slot. Rows already in the session are overwritten with
        what the database holds now: a status read before an Evolution call may have been
        changed meanwhile by a webhook, and deciding a transition from it would record one
        twice. Instances deleted meanwhile are missing from the result.
        """
        await hold_sqlite_writer(self.session)
        stmt = (
            select(EvolutionInstance)
            .where(EvolutionInstance.id.in_(set(ids)), EvolutionInstance.deleted_at.is_(None))
            .order_by(EvolutionInstance.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {i.id: i for i in (await self.session.execute(stmt)).scalars()}

    async def page(
        self,
        *,
        offset: int,
        limit: int,
        server_id: int | None = None,
        status: Sequence[str] | None = None,
        search: str | None = None,
        include_deleted: bool = False,
        scope: Scope = EVERYTHING,
    ) -> tuple[Sequence[EvolutionInstance], int]:
        stmt = self._filtered(server_id, status, search, include_deleted)
        stmt = stmt.where(scope.instances(EvolutionInstance.id))
        total = (
            await self.session.execute(select(func.count()).select_from(stmt.subquery()))
        ).scalar_one()
        stmt = stmt.order_by(func.lower(EvolutionInstance.display_name), EvolutionInstance.id)
        rows = (await self.session.execute(stmt.offset(offset).limit(limit))).scalars().all()
        return rows, total

    @staticmethod
    def _filtered(
        server_id: int | None,
        status: Sequence[str] | None,
        search: str | None,
        include_deleted: bool,
    ) -> Select[EvolutionInstance]:
        stmt = select(EvolutionInstance)
        if not include_deleted:
            stmt = stmt.where(EvolutionInstance.deleted_at.is_(None))
        if server_id is not None:
            stmt = stmt.where(EvolutionInstance.server_id == server_id)
        if status:
            stmt = stmt.where(EvolutionInstance.status.in_(list(status)))
        if search and search.strip():
            term = search.strip().lower()
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{escaped}%"
            digits = "".join(ch for ch in term if ch.isdigit())
            clauses = [
                func.lower(EvolutionInstance.display_name).like(like, escape="\\"),
                func.lower(EvolutionInstance.name).like(like, escape="\\"),
            ]
            # Numbers only for a query made of a phone number's characters (as messages
            # search): the 6 in "Loja B desktop-mx6p" matched every number with a 6.
            if len(digits) >= 3 and all(ch.isdigit() or ch in "+-() ." for ch in term):
                clauses.append(EvolutionInstance.phone_number.like(f"%{digits}%"))
                clauses.append(EvolutionInstance.owner_jid.like(f"%{digits}%"))
            stmt = stmt.where(or_(*clauses))
        return stmt

    async def events(
        self, instance_id: int, *, offset: int, limit: int
    ) -> tuple[Sequence[ConnectionEvent], int]:
        base = select(ConnectionEvent).where(ConnectionEvent.instance_id == instance_id)
        total = (
            await self.session.execute(select(func.count()).select_from(base.subquery()))
        ).scalar_one()
        stmt = base.order_by(ConnectionEvent.at.desc(), ConnectionEvent.id.desc())
        rows = (await self.session.execute(stmt.offset(offset).limit(limit))).scalars().all()
        return rows, total

    async def reserve_ids(self, count: int) -> list[int]:
        """Ids for instances about to be created: their webhook URLs (given to Evolution
        before the rows are written) need them. PostgreSQL takes them from the table's
        sequence; SQLite (one process writes) from above the largest, never twice."""
        if count <= 0:
            return []
        bind: Any = self.session.get_bind()
        engine = getattr(bind, "engine", bind)
        if engine.dialect.name == "postgresql":
            rows = await self.session.execute(_NEXTVAL, {"n": count})
            return [int(r[0]) for r in rows.all()]
        top = await self.session.scalar(select(func.max(EvolutionInstance.id))) or 0
        start = max(top, _reserved.get(engine, 0)) + 1
        _reserved[engine] = start + count - 1
        return list(range(start, start + count))

    def add(self, instance: EvolutionInstance) -> None:
        self.session.add(instance)

    async def delete(self, instance: EvolutionInstance) -> None:
        await self.session.delete(instance)
