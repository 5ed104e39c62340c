"""SQL for stored WhatsApp messages.

Inserts are ``INSERT … ON CONFLICT (instance_id, message_id) DO NOTHING``: concurrent
deliveries of one message never race into two rows nor into an integrity error.
Status changes are conditional ``UPDATE``s that only move forward, so they are safe in
any order and under concurrency.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Dialect,
    RowMapping,
    Select,
    Table,
    bindparam,
    case,
    func,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from evodash.core.db import unnest_insert
from evodash.messages.models import Direction, WhatsAppMessage
from evodash.messages.schemas import MessageFilters, MessageRead
from evodash.teams.scope import EVERYTHING, Scope

_CONFLICT_KEYS = ["instance_id", "message_id"]
_TABLE = WhatsAppMessage.__table__
assert isinstance(_TABLE, Table)
# The applier's statements, built once (it runs them with every batch of receipts). Core
# statements on the table: a receipt changes two columns of rows that are usually not in
# the session, and an ORM load of whole rows (their raw payloads decoded) to change them
# cost more than the rest of a batch's statements together.
#: What a realtime message event carries (``MessageRead``), returned by the UPDATEs.
_READ_COLUMNS = [_TABLE.c[name] for name in MessageRead.model_fields]
# (Not named after columns: an UPDATE keeps those names for its SET clause.)
_OF_INSTANCE = (
    _TABLE.c.instance_id == bindparam("of_instance"),
    _TABLE.c.message_id.in_(bindparam("message_ids", expanding=True)),
)
_RAISE_STATUSES = (
    update(_TABLE)
    .where(
        *_OF_INSTANCE,
        or_(_TABLE.c.status.is_(None), _TABLE.c.status.in_(bindparam("lower", expanding=True))),
    )
    .values(status=bindparam("new_status"), updated_at=bindparam("now"))
    .returning(*_READ_COLUMNS)
)
_MARK_DELETED = (
    update(_TABLE)
    .where(*_OF_INSTANCE, _TABLE.c.deleted_at.is_(None))
    .values(deleted_at=bindparam("deleted"), updated_at=bindparam("now"))
    .returning(*_READ_COLUMNS)
)
_PRESENT = select(_TABLE.c.message_id).where(*_OF_INSTANCE)
#: PostgreSQL array types of the columns the unnest INSERT writes that are not text.
_ARRAY_TYPES = {
    "instance_id": "bigint",
    "from_me": "boolean",
    "is_group": "boolean",
    "is_allowed": "boolean",
    "wa_timestamp": "timestamptz",
    "deleted_at": "timestamptz",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
    "raw": "json",
}
#: Columns with a default SQLAlchemy fills in (a plain statement does not): the unnest
#: INSERT is used only for rows that give them all, as the applier's do.
_DEFAULTED = frozenset(c.name for c in _TABLE.c if c.default is not None and not c.primary_key)
_UNNEST_INSERTS: dict[tuple[str, ...], tuple[TextClause, list[Any]]] = {}


def _unnest_insert(names: tuple[str, ...], dialect: Dialect) -> tuple[TextClause, list[Any]]:
    """The unnest INSERT (:func:`evodash.core.db.unnest_insert`) of these columns, skipping
    messages already stored, and each column's bind processor (built once)."""
    known = _UNNEST_INSERTS.get(names)
    if known is None:
        sql = unnest_insert(
            WhatsAppMessage.__tablename__,
            [(name, _ARRAY_TYPES.get(name, "text")) for name in names],
            param=lambda n: f":c{n}",
            tail=f"ON CONFLICT ({', '.join(_CONFLICT_KEYS)}) DO NOTHING RETURNING id, message_id",
        )
        processors = [_TABLE.c[name].type._cached_bind_processor(dialect) for name in names]
        known = _UNNEST_INSERTS[names] = (text(sql), processors)
    return known


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def insert_if_new(self, values: dict[str, Any]) -> WhatsAppMessage | None:
        """Insert the message; ``None`` when (instance_id, message_id) is already stored."""
        insert = pg_insert if self._dialect() == "postgresql" else sqlite_insert
        stmt = (
            insert(WhatsAppMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=_CONFLICT_KEYS)
            .returning(WhatsAppMessage)
        )
        return (await self.session.scalars(stmt)).first()

    async def insert_new(self, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Insert the messages not stored yet, in one statement; ``{message_id: id}`` of
        those inserted (the others were already stored, or are being stored by another
        transaction: they are skipped, never an error)."""
        if not rows:
            return {}
        postgresql = self._dialect() == "postgresql"
        if postgresql and rows[0].keys() >= _DEFAULTED:
            return await self._insert_new_unnest(rows)
        table = WhatsAppMessage.__table__
        assert isinstance(table, Table)
        stmt = (
            (pg_insert if postgresql else sqlite_insert)(table)
            .on_conflict_do_nothing(index_elements=_CONFLICT_KEYS)
            .returning(table.c.id, table.c.message_id)
        )
        result = await self.session.execute(stmt, list(rows))
        return {message_id: ident for ident, message_id in result.all()}

    async def _insert_new_unnest(self, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
        """PostgreSQL: the rows as one array per column, unnested. The statement's text is
        the same whatever the number of rows, so the driver prepares it once per
        connection; a multi-row ``VALUES`` has a text (a prepared statement, parsed and
        planned again) per row count, nearly one per applier batch."""
        names = tuple(rows[0])
        dialect = self.session.get_bind().dialect
        stmt, processors = _unnest_insert(names, dialect)
        params: dict[str, list[Any]] = {}
        for n, (name, process) in enumerate(zip(names, processors, strict=True)):
            values = [row[name] for row in rows]
            params[f"c{n}"] = [process(v) for v in values] if process is not None else values
        result = await self.session.execute(stmt, params)
        return {message_id: ident for ident, message_id in result.all()}

    async def raise_statuses(
        self,
        instance_id: int,
        message_ids: Collection[str],
        status: str,
        lower: Sequence[str],
        now: datetime,
    ) -> Sequence[RowMapping]:
        """Set ``status`` on those of the messages whose status is empty or one of
        ``lower``; the changed rows (``MessageRead``'s columns)."""
        params = {
            "of_instance": instance_id,
            "message_ids": sorted(message_ids),
            "lower": list(lower),
            "new_status": status,
            "now": now,
        }
        return (await self.session.execute(_RAISE_STATUSES, params)).mappings().all()

    async def mark_many_deleted(
        self, instance_id: int, message_ids: Collection[str], at: datetime, now: datetime
    ) -> Sequence[RowMapping]:
        """Set ``deleted_at`` to ``at`` on those of the messages not deleted yet; the
        changed rows (``MessageRead``'s columns)."""
        params = {
            "of_instance": instance_id,
            "message_ids": sorted(message_ids),
            "deleted": at,
            "now": now,
        }
        return (await self.session.execute(_MARK_DELETED, params)).mappings().all()

    async def present(self, instance_id: int, message_ids: Collection[str]) -> set[str]:
        """Which of ``message_ids`` are stored for the instance."""
        params = {"of_instance": instance_id, "message_ids": sorted(message_ids)}
        return set((await self.session.scalars(_PRESENT, params)).all())

    async def by_message_id(self, instance_id: int, message_id: str) -> WhatsAppMessage | None:
        stmt = select(WhatsAppMessage).where(
            WhatsAppMessage.instance_id == instance_id, WhatsAppMessage.message_id == message_id
        )
        return (await self.session.scalars(stmt)).first()

    async def get(self, message_id: int) -> WhatsAppMessage | None:
        return await self.session.get(WhatsAppMessage, message_id)

    def _filtered(self, filters: MessageFilters) -> Select[WhatsAppMessage]:
        m = WhatsAppMessage
        stmt = select(m)
        if filters.instance_id is not None:
            stmt = stmt.where(m.instance_id == filters.instance_id)
        if filters.instance_ids is not None:
            stmt = stmt.where(m.instance_id.in_(sorted(filters.instance_ids)))
        if filters.direction is not None:
            stmt = stmt.where(m.direction == filters.direction.value)
        if filters.message_type:
            stmt = stmt.where(m.message_type == filters.message_type)
        if filters.allowed is not None:
            stmt = stmt.where(m.is_allowed.is_(filters.allowed))
        if filters.since is not None:
            stmt = stmt.where(m.wa_timestamp >= filters.since)
        if filters.until is not None:
            stmt = stmt.where(m.wa_timestamp < filters.until)
        return stmt

    async def page(
        self,
        filters: MessageFilters,
        *,
        senders: Sequence[str] = (),
        search_text: str | None = None,
        search_digits: str | None = None,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> Sequence[WhatsAppMessage]:
        """Newest first, keyset on ``(wa_timestamp, id)`` (the two message indexes)."""
        m = WhatsAppMessage
        stmt = self._filtered(filters)
        if senders:
            stmt = stmt.where(m.sender_phone.in_(senders))
        conditions = []
        if search_text:
            conditions.append(func.lower(m.text).contains(search_text.lower(), autoescape=True))
            conditions.append(
                func.lower(m.sender_name).contains(search_text.lower(), autoescape=True)
            )
        if search_digits:
            conditions.append(m.sender_phone.contains(search_digits, autoescape=True))
            conditions.append(m.remote_jid.contains(search_digits, autoescape=True))
            conditions.append(m.participant.contains(search_digits, autoescape=True))
        if conditions:
            stmt = stmt.where(or_(*conditions))
        if after is not None:
            stmt = stmt.where(tuple_(m.wa_timestamp, m.id) < tuple_(*after))
        stmt = stmt.order_by(m.wa_timestamp.desc(), m.id.desc()).limit(limit)
        return (await self.session.scalars(stmt)).all()

    async def counts(
        self, *, since: datetime | None, until: datetime | None, scope: Scope = EVERYTHING
    ) -> Sequence[tuple[int, int, int, int, int, datetime | None]]:
        m = WhatsAppMessage
        incoming = func.sum(case((m.direction == Direction.incoming.value, 1), else_=0))
        outgoing = func.sum(case((m.direction == Direction.outgoing.value, 1), else_=0))
        blocked = func.sum(case((m.is_allowed.is_(False), 1), else_=0))
        stmt = select(
            m.instance_id, func.count(m.id), incoming, outgoing, blocked, func.max(m.wa_timestamp)
        ).group_by(m.instance_id)
        stmt = stmt.where(scope.instances(m.instance_id))
        if since is not None:
            stmt = stmt.where(m.wa_timestamp >= since)
        if until is not None:
            stmt = stmt.where(m.wa_timestamp < until)
        rows = (await self.session.execute(stmt.order_by(m.instance_id))).all()
        return [(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5]) for r in rows]
