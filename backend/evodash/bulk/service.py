"""Bulk operations: create one (its instances checked against the caller's scope), run it,
run it again for the failed ones, read it.

A run treats each instance on its own (:mod:`evodash.bulk.steps`), a bounded number at a
time (``status_sync_concurrency``), each within a time limit. The database is used in
short transactions around the Evolution calls (on SQLite one at a time: it has one
writer); each
instance's result is committed as soon as it is known and announced as a ``bulk.item``
realtime event, so browsers follow the progress live and a reload finds it stored. One
instance failing (Evolution, a timeout, anything) fails that instance only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evodash.bulk.errors import ConfirmationMismatch, OperationNotFound, OperationRunning
from evodash.bulk.models import BulkAction, BulkItem, BulkOperation, ItemState, OperationStatus
from evodash.bulk.schemas import BulkCreate, BulkItemRead, BulkOperationRead
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.errors import AppError
from evodash.instances.errors import InstanceNotFound
from evodash.instances.models import EvolutionInstance
from evodash.realtime import emit
from evodash.realtime.events import BulkItemEvent
from evodash.teams.scope import Scope, team_instance_ids
from evodash.teams.service import get_team
from evodash.templates import service as templates
from evodash.templates.schemas import Targets
from evodash.users import audit
from evodash.users.models import Role, User

log = structlog.get_logger(__name__)

#: A run that started this long ago and never finished (its process died) may run again.
STALE_RUN = timedelta(minutes=15)


@dataclass
class Outcome:
    state: ItemState
    detail: str | None = None
    changes: dict[str, object] | None = None


@dataclass
class RunContext:
    """What the steps of one run share."""

    sessionmaker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    settings: Settings
    actor: User
    ip: str | None
    operation: BulkOperation
    #: Taken around each transaction when they must take turns (see :func:`_turns`).
    lock: asyncio.Lock | None = field(default_factory=asyncio.Lock)

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        """A short transaction, committed at the end of the block."""
        async with self.lock or nullcontext(), self.sessionmaker() as session:
            yield session
            await session.commit()

    @property
    def item_timeout(self) -> float:
        """The most one instance may take: a few Evolution calls, each with its timeout."""
        return 4 * self.settings.evolution_timeout_seconds + 5

    async def finish(self, session: AsyncSession, instance_id: int, outcome: Outcome) -> None:
        """Store one instance's result (in the transaction of its last changes)."""
        item = await session.get(BulkItem, (self.operation.id, instance_id))
        if item is None:  # pragma: no cover - the items are written before the run
            return
        item.state = outcome.state.value
        item.detail = outcome.detail
        item.error = None
        item.changes = outcome.changes
        item.attempts += 1
        item.updated_at = utcnow()
        await session.flush()
        emit(session, BulkItemEvent(data=BulkItemRead.model_validate(item)))

    async def fail(self, instance_id: int, code: str, detail: str) -> None:
        async with self.db() as session:
            item = await session.get(BulkItem, (self.operation.id, instance_id))
            if item is None:  # pragma: no cover
                return
            item.state, item.error, item.detail = ItemState.failed.value, code, detail[:1000]
            item.changes = None
            item.attempts += 1
            item.updated_at = utcnow()
            await session.flush()
            emit(session, BulkItemEvent(data=BulkItemRead.model_validate(item)))


# --- targets ---------------------------------------------------------------------------------


async def resolve_targets(
    session: AsyncSession, targets: Targets, scope: Scope
) -> list[EvolutionInstance]:
    """The live instances named (or the team's), all within ``scope``: an id the caller
    may not see is answered as unknown (404), like one that does not exist."""
    if targets.team_id is not None:
        await get_team(session, targets.team_id)  # 404 for an unknown team
        ids = sorted(
            i for i in await team_instance_ids(session, targets.team_id) if scope.sees_instance(i)
        )
    else:
        ids = list(dict.fromkeys(targets.instance_ids or ()))
        if any(not scope.sees_instance(i) for i in ids):
            raise InstanceNotFound()
    stmt = (
        select(EvolutionInstance)
        .where(EvolutionInstance.id.in_(ids), EvolutionInstance.deleted_at.is_(None))
        .order_by(EvolutionInstance.id)
    )
    found = list((await session.scalars(stmt)).all())
    if targets.instance_ids is not None and len(found) != len(ids):
        raise InstanceNotFound()
    return found


# --- create, read ------------------------------------------------------------------------------


async def create(
    session: AsyncSession, data: BulkCreate, scope: Scope, *, actor: User, ip: str | None
) -> BulkOperation:
    """A pending operation over the instances ``data`` names (run it with :func:`run`)."""
    if data.template_id is not None:
        await templates.get(session, data.template_id)
    instances = await resolve_targets(session, data, scope)
    if data.action is BulkAction.delete and (data.confirmation or "").strip() != str(
        len(instances)
    ):
        raise ConfirmationMismatch(len(instances))
    operation = BulkOperation(
        action=data.action.value,
        template_id=data.template_id,
        options={"keep_history": data.keep_history} if data.action is BulkAction.delete else {},
        status=OperationStatus.pending.value,
        runs=0,
        created_by=actor.id,
    )
    session.add(operation)
    await session.flush()
    session.add_all(
        BulkItem(
            operation_id=operation.id,
            instance_id=i.id,
            name=i.display_name,
            state=ItemState.pending.value,
            attempts=0,
        )
        for i in instances
    )
    audit.record(
        session,
        actor,
        f"bulk.{data.action.value}",
        object_type="bulk_operation",
        object_id=operation.id,
        detail={
            "instances": [i.id for i in instances],
            "template_id": data.template_id,
            "team_id": data.team_id,
        },
        ip=ip,
    )
    await session.flush()
    return operation


async def get(session: AsyncSession, operation_id: int, user: User, scope: Scope) -> BulkOperation:
    """An operation its creator (or an admin, unless limited by an API key) may see;
    others get 404."""
    operation = await session.get(BulkOperation, operation_id)
    everyone = user.role == Role.admin.value and scope.unlimited
    if operation is None or (not everyone and operation.created_by != user.id):
        raise OperationNotFound()
    return operation


async def items_of(session: AsyncSession, operation_id: int, scope: Scope) -> Sequence[BulkItem]:
    stmt = (
        select(BulkItem)
        .where(BulkItem.operation_id == operation_id, scope.instances(BulkItem.instance_id))
        .order_by(BulkItem.instance_id)
    )
    return (await session.scalars(stmt)).all()


async def to_read(
    session: AsyncSession, operation: BulkOperation, scope: Scope
) -> BulkOperationRead:
    items = [BulkItemRead.model_validate(i) for i in await items_of(session, operation.id, scope)]
    count = {s: sum(1 for i in items if i.state is s) for s in ItemState}
    return BulkOperationRead(
        id=operation.id,
        action=BulkAction(operation.action),
        template_id=operation.template_id,
        status=OperationStatus(operation.status),
        runs=operation.runs,
        created_at=operation.created_at,
        started_at=operation.started_at,
        finished_at=operation.finished_at,
        total=len(items),
        succeeded=count[ItemState.ok] + count[ItemState.unchanged],
        failed=count[ItemState.failed],
        pending=count[ItemState.pending],
        items=items,
    )


async def list_recent(session: AsyncSession, user: User, *, limit: int) -> Sequence[BulkOperation]:
    stmt = select(BulkOperation).order_by(BulkOperation.id.desc()).limit(limit)
    if user.role != Role.admin.value:
        stmt = stmt.where(BulkOperation.created_by == user.id)
    return (await session.scalars(stmt)).all()


# --- run ---------------------------------------------------------------------------------------


def _turns(sessionmaker: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    """A lock when the run's transactions must take turns: SQLite has one writer (waiting
    for it in turn beats waiting on its busy timeout), and sessions bound to one
    connection (the tests' rolled-back transaction) cannot use it at once. PostgreSQL
    sessions come from the pool and run side by side (each locks its own instance row)."""
    bind = sessionmaker.kw.get("bind")
    if isinstance(bind, AsyncEngine) and bind.dialect.name != "sqlite":
        return None
    return asyncio.Lock()


async def _claim(session: AsyncSession, operation: BulkOperation) -> bool:
    """Mark the operation running, unless a run holds it (one statement: no race)."""
    now = utcnow()
    result = await session.execute(
        update(BulkOperation)
        .where(
            BulkOperation.id == operation.id,
            or_(
                BulkOperation.status != OperationStatus.running.value,
                BulkOperation.started_at < now - STALE_RUN,
            ),
        )
        .values(
            status=OperationStatus.running.value,
            started_at=now,
            finished_at=None,
            runs=BulkOperation.runs + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def run(
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    settings: Settings,
    operation_id: int,
    scope: Scope,
    *,
    actor: User,
    ip: str | None,
) -> None:
    """Run the pending and failed instances of an operation (those in ``scope``).
    Commits as it goes: call it with no transaction of the caller's open."""
    from evodash.bulk.steps import step_for

    async with sessionmaker() as session:
        operation = await get(session, operation_id, actor, scope)
        ids = [
            i.instance_id
            for i in await items_of(session, operation_id, scope)
            if i.state in (ItemState.pending.value, ItemState.failed.value)
        ]
        step = await step_for(session, operation)
        if not await _claim(session, operation):
            raise OperationRunning()
        await session.commit()
    ctx = RunContext(sessionmaker, http, settings, actor, ip, operation, _turns(sessionmaker))
    semaphore = asyncio.Semaphore(settings.status_sync_concurrency)

    async def one(instance_id: int) -> None:
        async with semaphore:
            try:
                async with asyncio.timeout(ctx.item_timeout):
                    await step(ctx, instance_id)
            except AppError as exc:
                await ctx.fail(instance_id, exc.code, exc.detail)
            except TimeoutError:
                await ctx.fail(instance_id, "timeout", "This instance took too long.")
            except Exception:  # one instance never stops the others
                log.exception("bulk.item_failed", operation=operation_id, instance=instance_id)
                await ctx.fail(instance_id, "internal_error", "Unexpected error; see the logs.")

    try:
        await asyncio.gather(*(one(i) for i in ids))
    finally:
        async with ctx.db() as session:
            await session.execute(
                update(BulkOperation)
                .where(BulkOperation.id == operation_id)
                .values(status=OperationStatus.finished.value, finished_at=utcnow())
                .execution_options(synchronize_session=False)
            )
