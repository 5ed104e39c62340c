"""The inbox's queries on one state (waiting, deferred, failed) are planned on that state's
partial index, on PostgreSQL also as a prepared statement's generic plan (what the driver
runs after a few executions). The applier runs them at every batch: planned on the whole
table, or on an index of every status (which keeps an entry of each applied event until a
vacuum), each batch read more the bigger the inbox grew (10-17 ms at 40,000 events)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.monitoring import gauges
from evodash.webhooks.models import EventStatus
from evodash.webhooks.repository import EventRepository
from tests.factories import add_instance

APPLIED = 20_000
_names = itertools.count()

# Event n of APPLIED + 30, received n seconds after the first: APPLIED applied, then 10
# waiting, 10 deferred and 10 failed. Only the numbers and the clock differ by engine.
NUMBERS = {
    "postgresql": "generate_series(1, :applied + 30) AS g(n)",
    "sqlite": "(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g "
    "WHERE n < :applied + 30) SELECT n FROM g) AS g",
}
AGO = {
    "postgresql": "now() - make_interval(secs => :applied + 30 - n)",
    "sqlite": "datetime('now', '-' || (:applied + 30 - n) || ' seconds')",
}
FILL = """
    INSERT INTO webhook_event (instance_id, event, instance_name, body, status, attempts,
                               received_at)
    SELECT :instance_id, 'messages.update', 'i', '{{}}',
           CASE WHEN n > :applied + 20 THEN 'failed'
                WHEN n > :applied + 10 THEN 'deferred'
                WHEN n > :applied THEN 'received' ELSE 'processed' END,
           1, {ago}
    FROM {numbers}"""


async def _fill(session: AsyncSession, instance_id: int) -> str:
    """20,000 applied events, then 10 waiting, 10 deferred and 10 failed; fresh statistics."""
    dialect = session.get_bind().dialect.name
    fill = FILL.format(ago=AGO[dialect], numbers=NUMBERS[dialect])
    await session.execute(text(fill), {"instance_id": instance_id, "applied": APPLIED})
    await session.commit()
    await session.execute(text("ANALYZE webhook_event"))
    return dialect


def _literal(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "NULL"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


async def _statements(
    session: AsyncSession, call: Callable[[], Awaitable[Any]]
) -> list[tuple[str, Any]]:
    """The SQL (and parameters) that ``call`` sends to the database."""
    sent: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "webhook_event" in statement:
            sent.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        await call()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert sent
    return sent


async def _plan(session: AsyncSession, statement: str, parameters: Any) -> str:
    """The plan of one statement as text: on PostgreSQL, the generic plan of the statement
    prepared (its parameters unknown when it is planned)."""
    connection = await session.connection()
    if session.get_bind().dialect.name == "sqlite":
        rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(str(row[-1]) for row in rows.all())
    name = f"inbox_plan_{next(_names)}"
    driver = (await connection.get_raw_connection()).driver_connection
    await driver.execute(f"PREPARE {name} AS {statement}")
    await driver.execute("SET plan_cache_mode = force_generic_plan")
    try:
        values = ", ".join(_literal(v) for v in parameters)
        rows = await driver.fetch(f"EXPLAIN EXECUTE {name}" + (f"({values})" if values else ""))
        return "\n".join(row[0] for row in rows)
    finally:
        await driver.execute("RESET plan_cache_mode")
        await driver.execute(f"DEALLOCATE {name}")


def _uses(plan: str, index: str) -> bool:
    return index in plan and "Seq Scan" not in plan and "SCAN webhook_event\n" not in plan + "\n"


async def test_each_state_is_read_from_its_own_index(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        instance = await add_instance(session)
        await session.commit()
        dialect = await _fill(session, instance.id)
        repo = EventRepository(session)

        async def queue() -> None:
            if dialect == "sqlite":  # one applier, every instance
                assert len(await repo.oldest_waiting(300)) == 10
            else:
                assert await repo.waiting_instances(50) == [instance.id]
                assert len(await repo.waiting([instance.id], 300)) == 10

        async def deferred() -> None:
            rows = await repo.deferred_rows(instance.id, ["messages.update", "messages.upsert"])
            assert len(rows) == 10

        async def failed_page() -> None:
            page = await repo.page(
                instance_id=None, status=EventStatus.failed, event=None, after=None, limit=50
            )
            assert len(page) == 10

        async def failed_to_replay() -> None:
            ids = await repo.matching_ids(
                instance_id=None,
                status=EventStatus.failed,
                event=None,
                since=None,
                until=None,
                ids=None,
                limit=1001,
            )
            assert len(ids) == 10 and ids == sorted(ids)

        async def figures() -> None:
            [family] = [f for f in await gauges.read(session) if f.name.endswith("inbox_events")]
            assert {s.labels["status"]: s.value for s in family.samples} == {
                "received": 10,
                "deferred": 10,
                "failed": 10,
            }

        expected = {
            queue: "ix_webhook_event_received",
            deferred: "ix_webhook_event_deferred",
            failed_page: "ix_webhook_event_failed",
            failed_to_replay: "ix_webhook_event_failed",
        }
        for call, index in expected.items():
            for statement, parameters in await _statements(session, call):
                plan = await _plan(session, statement, parameters)
                assert _uses(plan, index), f"{call.__name__}: {statement}\n{plan}"

        [(statement, parameters)] = [
            s for s in await _statements(session, figures) if "count" in s[0]
        ]
        plan = await _plan(session, statement, parameters)
        for index in ("received", "deferred", "failed"):
            assert f"ix_webhook_event_{index}" in plan, plan
        assert "Seq Scan" not in plan and "SCAN webhook_event\n" not in plan + "\n", plan
