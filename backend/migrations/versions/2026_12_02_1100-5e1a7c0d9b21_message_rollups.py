"""message rollups kept by triggers (reports, the dashboard's total), uptime of finished
days, per-instance message retention

Revision ID: 5e1a7c0d9b21
Revises: 900351113914
Create Date: 2026-12-02 11:00:00.000000+00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "5e1a7c0d9b21"
down_revision: str | None = "900351113914"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL: statement-level triggers over transition tables, one grouped upsert per
# INSERT statement (a batch of 500 messages is one upsert, not 500). Rows are upserted in
# key order so two concurrent statements lock them in the same order (no deadlock).
PG_HOUR = "date_trunc('hour', wa_timestamp, 'UTC')"
PG_DAY = "(wa_timestamp AT TIME ZONE 'UTC')::date"
COUNTS = (
    "sum(CASE WHEN direction = 'in' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN direction = 'in' THEN 0 ELSE 1 END), "
    "sum(CASE WHEN direction = 'in' AND NOT is_allowed THEN 1 ELSE 0 END)"
)


def _add(table: str, *columns: str) -> str:
    return ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in columns)


PG_FUNCTIONS = [
    f"""
CREATE FUNCTION evodash_message_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_daily (day, instance_id, received, sent, blocked, stored)
  SELECT {PG_DAY}, instance_id, {COUNTS}, count(*)
  FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (day, instance_id) DO UPDATE
    SET {_add("message_daily", "received", "sent", "blocked", "stored")};
  INSERT INTO message_hourly (hour, instance_id, hour_of_day, received, sent, blocked)
  SELECT {PG_HOUR}, instance_id, extract(hour FROM {PG_HOUR} AT TIME ZONE 'UTC')::int,
    {COUNTS}
  FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (hour, instance_id) DO UPDATE
    SET {_add("message_hourly", "received", "sent", "blocked")};
  INSERT INTO sender_daily (day, instance_id, sender_phone, messages)
  SELECT {PG_DAY}, instance_id, sender_phone, count(*)
  FROM new_rows WHERE direction = 'in' AND sender_phone IS NOT NULL
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (day, instance_id, sender_phone) DO UPDATE
    SET messages = sender_daily.messages + EXCLUDED.messages;
  RETURN NULL;
END $$""",
    f"""
CREATE FUNCTION evodash_message_rollup_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE message_daily AS d SET stored = d.stored - o.n
  FROM (
    SELECT {PG_DAY} AS day, instance_id, count(*) AS n FROM old_rows GROUP BY 1, 2
  ) AS o
  WHERE d.day = o.day AND d.instance_id = o.instance_id;
  RETURN NULL;
END $$""",
    """
CREATE TRIGGER whatsapp_message_rollup_insert AFTER INSERT ON whatsapp_message
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION evodash_message_rollup_insert()""",
    """
CREATE TRIGGER whatsapp_message_rollup_delete AFTER DELETE ON whatsapp_message
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION evodash_message_rollup_delete()""",
]

# SQLite stores datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' text (SQLAlchemy's format), so
# the hour and the day are prefixes; it has row-level triggers only (one writer).
SQLITE_HOUR = "substr({t}.wa_timestamp, 1, 13) || ':00:00.000000'"
SQLITE_DAY = "substr({t}.wa_timestamp, 1, 10)"
SQLITE_COUNTS = (
    "NEW.direction = 'in', NEW.direction <> 'in', NEW.direction = 'in' AND NOT NEW.is_allowed"
)
SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER whatsapp_message_rollup_insert AFTER INSERT ON whatsapp_message BEGIN
  INSERT INTO message_daily (day, instance_id, received, sent, blocked, stored)
  VALUES ({SQLITE_DAY.format(t="NEW")}, NEW.instance_id, {SQLITE_COUNTS}, 1)
  ON CONFLICT (day, instance_id) DO UPDATE SET received = received + excluded.received,
    sent = sent + excluded.sent, blocked = blocked + excluded.blocked, stored = stored + 1;
  INSERT INTO message_hourly (hour, instance_id, hour_of_day, received, sent, blocked)
  VALUES ({SQLITE_HOUR.format(t="NEW")}, NEW.instance_id,
    CAST(substr(NEW.wa_timestamp, 12, 2) AS INTEGER), {SQLITE_COUNTS})
  ON CONFLICT (hour, instance_id) DO UPDATE SET received = received + excluded.received,
    sent = sent + excluded.sent, blocked = blocked + excluded.blocked;
  INSERT INTO sender_daily (day, instance_id, sender_phone, messages)
  SELECT {SQLITE_DAY.format(t="NEW")}, NEW.instance_id, NEW.sender_phone, 1
  WHERE NEW.direction = 'in' AND NEW.sender_phone IS NOT NULL
  ON CONFLICT (day, instance_id, sender_phone) DO UPDATE SET messages = messages + 1;
END""",
    f"""
CREATE TRIGGER whatsapp_message_rollup_delete AFTER DELETE ON whatsapp_message BEGIN
  UPDATE message_daily SET stored = stored - 1
  WHERE day = {SQLITE_DAY.format(t="OLD")} AND instance_id = OLD.instance_id;
END""",
]


def _backfill(postgres: bool) -> None:
    hour = PG_HOUR if postgres else SQLITE_HOUR.format(t="m")
    day = PG_DAY if postgres else SQLITE_DAY.format(t="m")
    hour_of_day = (
        f"extract(hour FROM {PG_HOUR} AT TIME ZONE 'UTC')::int"
        if postgres
        else "CAST(substr(m.wa_timestamp, 12, 2) AS INTEGER)"
    )
    op.execute(
        "INSERT INTO message_daily (day, instance_id, received, sent, blocked, stored) "
        f"SELECT {day}, instance_id, {COUNTS}, count(*) FROM whatsapp_message AS m "
        "GROUP BY 1, 2"
    )
    op.execute(
        "INSERT INTO message_hourly (hour, instance_id, hour_of_day, received, sent, blocked) "
        f"SELECT {hour}, instance_id, min({hour_of_day}), {COUNTS} FROM whatsapp_message AS m "
        "GROUP BY 1, 2"
    )
    op.execute(
        "INSERT INTO sender_daily (day, instance_id, sender_phone, messages) "
        f"SELECT {day}, instance_id, sender_phone, count(*) FROM whatsapp_message AS m "
        "WHERE direction = 'in' AND sender_phone IS NOT NULL GROUP BY 1, 2, 3"
    )


def _rollup_table(name: str, key: sa.Column[Any], *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        key,
        sa.Column("instance_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f(f"fk_{name}_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(key.name, "instance_id", name=op.f(f"pk_{name}")),
    )


def _count(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    _rollup_table(
        "message_daily",
        sa.Column("day", sa.Date(), nullable=False),
        *(_count(c) for c in ("received", "sent", "blocked", "stored")),
    )
    _rollup_table(
        "message_hourly",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hour_of_day", sa.SmallInteger(), nullable=False),
        *(_count(c) for c in ("received", "sent", "blocked")),
    )
    with op.batch_alter_table("message_hourly", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_hourly_hour_of_day_hour", ["hour_of_day", "hour"], unique=False
        )
    op.create_table(
        "sender_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("sender_phone", sa.String(length=32), nullable=False),
        sa.Column("messages", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_sender_daily_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "instance_id", "sender_phone", name=op.f("pk_sender_daily")),
    )
    with op.batch_alter_table("sender_daily", schema=None) as batch_op:
        batch_op.create_index("ix_sender_daily_sender_phone", ["sender_phone"], unique=False)

    op.create_table(
        "uptime_daily",
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("instance_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("open_seconds", sa.Double(), nullable=False),
        sa.Column("observed_seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("tz", "day", "instance_id", name=op.f("pk_uptime_daily")),
    )

    with op.batch_alter_table("evolution_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_retention_days", sa.Integer(), nullable=True))

    postgres = op.get_bind().dialect.name == "postgresql"
    _backfill(postgres)
    for statement in PG_FUNCTIONS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS whatsapp_message_rollup_insert ON whatsapp_message"
        if op.get_bind().dialect.name == "postgresql"
        else "DROP TRIGGER IF EXISTS whatsapp_message_rollup_insert"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS whatsapp_message_rollup_delete ON whatsapp_message")
        op.execute("DROP FUNCTION IF EXISTS evodash_message_rollup_insert()")
        op.execute("DROP FUNCTION IF EXISTS evodash_message_rollup_delete()")
    else:
        op.execute("DROP TRIGGER IF EXISTS whatsapp_message_rollup_delete")
    op.drop_table("sender_daily")
    op.drop_table("message_hourly")
    op.drop_table("message_daily")
    op.drop_table("uptime_daily")
    with op.batch_alter_table("evolution_instance", schema=None) as batch_op:
        batch_op.drop_column("message_retention_days")
