"""message rollups kept by triggers (reports, the dashboard's total)

Revision ID: 5e1a7c0d9b21
Revises: ae6c5c910dbc
Create Date: 2026-12-02 11:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1a7c0d9b21"
down_revision: str | None = "ae6c5c910dbc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL: statement-level triggers over transition tables, one grouped upsert per
# INSERT statement (a batch of 500 messages is one upsert, not 500). Rows are upserted in
# key order so two concurrent statements lock them in the same order (no deadlock).
PG_HOUR = "date_trunc('hour', wa_timestamp, 'UTC')"
PG_DAY = "(wa_timestamp AT TIME ZONE 'UTC')::date"
PG_FUNCTIONS = [
    f"""
CREATE FUNCTION evodash_message_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_hourly (hour, instance_id, direction, is_allowed, received, stored)
  SELECT {PG_HOUR}, instance_id, direction, is_allowed, count(*), count(*)
  FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (hour, instance_id, direction, is_allowed) DO UPDATE
    SET received = message_hourly.received + EXCLUDED.received,
        stored = message_hourly.stored + EXCLUDED.stored;
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
  UPDATE message_hourly AS h SET stored = h.stored - d.n
  FROM (
    SELECT {PG_HOUR} AS hour, instance_id, direction, is_allowed, count(*) AS n
    FROM old_rows GROUP BY 1, 2, 3, 4
  ) AS d
  WHERE h.hour = d.hour AND h.instance_id = d.instance_id AND h.direction = d.direction
    AND h.is_allowed = d.is_allowed;
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
# the hour is a prefix; it has row-level triggers only (one writer: no lock ordering).
SQLITE_HOUR = "substr({t}.wa_timestamp, 1, 13) || ':00:00.000000'"
SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER whatsapp_message_rollup_insert AFTER INSERT ON whatsapp_message BEGIN
  INSERT INTO message_hourly (hour, instance_id, direction, is_allowed, received, stored)
  VALUES ({SQLITE_HOUR.format(t="NEW")}, NEW.instance_id, NEW.direction, NEW.is_allowed, 1, 1)
  ON CONFLICT (hour, instance_id, direction, is_allowed) DO UPDATE
    SET received = received + 1, stored = stored + 1;
  INSERT INTO sender_daily (day, instance_id, sender_phone, messages)
  SELECT substr(NEW.wa_timestamp, 1, 10), NEW.instance_id, NEW.sender_phone, 1
  WHERE NEW.direction = 'in' AND NEW.sender_phone IS NOT NULL
  ON CONFLICT (day, instance_id, sender_phone) DO UPDATE SET messages = messages + 1;
END""",
    f"""
CREATE TRIGGER whatsapp_message_rollup_delete AFTER DELETE ON whatsapp_message BEGIN
  UPDATE message_hourly SET stored = stored - 1
  WHERE hour = {SQLITE_HOUR.format(t="OLD")} AND instance_id = OLD.instance_id
    AND direction = OLD.direction AND is_allowed = OLD.is_allowed;
END""",
]


def _backfill(postgres: bool) -> None:
    hour = PG_HOUR if postgres else SQLITE_HOUR.format(t="m")
    day = PG_DAY if postgres else "substr(m.wa_timestamp, 1, 10)"
    op.execute(
        "INSERT INTO message_hourly (hour, instance_id, direction, is_allowed, received, stored) "
        f"SELECT {hour}, instance_id, direction, is_allowed, count(*), count(*) "
        "FROM whatsapp_message AS m GROUP BY 1, 2, 3, 4"
    )
    op.execute(
        "INSERT INTO sender_daily (day, instance_id, sender_phone, messages) "
        f"SELECT {day}, instance_id, sender_phone, count(*) FROM whatsapp_message AS m "
        "WHERE direction = 'in' AND sender_phone IS NOT NULL GROUP BY 1, 2, 3"
    )


def upgrade() -> None:
    op.create_table(
        "message_hourly",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("is_allowed", sa.Boolean(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("stored", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_message_hourly_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "hour", "instance_id", "direction", "is_allowed", name=op.f("pk_message_hourly")
        ),
    )
    with op.batch_alter_table("message_hourly", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_hourly_instance_id_hour", ["instance_id", "hour"], unique=False
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
