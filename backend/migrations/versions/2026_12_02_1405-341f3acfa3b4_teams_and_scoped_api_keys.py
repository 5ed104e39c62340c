"""Teams (members, servers, instances) and API keys limited to reads, operations,
instances or teams.

Revision ID: 341f3acfa3b4
Revises: c3f1a9d2b7e4
Create Date: 2026-12-02 14:05:56.096151+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import evodash.core.db

revision: str = "341f3acfa3b4"
down_revision: str | None = "c3f1a9d2b7e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("created_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("name", name=op.f("uq_team_name")),
    )
    op.create_table(
        "team_member",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_member_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_team_member_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_member")),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "team_server",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["server_id"],
            ["evolution_server.id"],
            name=op.f("fk_team_server_server_id_evolution_server"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_server_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "server_id", name=op.f("pk_team_server")),
    )
    with op.batch_alter_table("team_server", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_server_server_id"), ["server_id"], unique=False)

    op.create_table(
        "team_instance",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["evolution_instance.id"],
            name=op.f("fk_team_instance_instance_id_evolution_instance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_instance_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "instance_id", name=op.f("pk_team_instance")),
    )
    with op.batch_alter_table("team_instance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_instance_instance_id"), ["instance_id"], unique=False
        )

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("read_only", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "operations",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                server_default="[]",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "instance_ids",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                server_default="[]",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "team_ids",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                server_default="[]",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("team_ids")
        batch_op.drop_column("instance_ids")
        batch_op.drop_column("operations")
        batch_op.drop_column("read_only")

    with op.batch_alter_table("team_instance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_instance_instance_id"))

    op.drop_table("team_instance")
    with op.batch_alter_table("team_server", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_server_server_id"))

    op.drop_table("team_server")
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_user_id"))

    op.drop_table("team_member")
    op.drop_table("team")
