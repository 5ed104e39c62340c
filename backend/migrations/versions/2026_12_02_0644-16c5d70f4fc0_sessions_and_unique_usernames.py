"""server-side sessions, API keys that may create keys, usernames unique case-insensitively

Revision ID: 16c5d70f4fc0
Revises: a06351b5318f
Create Date: 2026-12-02 06:44:45.666070
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import evodash.core.db

revision: str = "16c5d70f4fc0"
down_revision: str | None = "a06351b5318f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rename_case_duplicates() -> None:
    # Before this revision "Ana" and "ana" could both exist (and neither could log in).
    # Keep the oldest as is; the others get their id appended so the index can be built.
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, username FROM "user" ORDER BY id')).all()
    seen: set[str] = set()
    for user_id, username in rows:
        folded = username.lower()
        if folded in seen:
            new = f"{username[: 150 - len(str(user_id)) - 1]}-{user_id}"
            bind.execute(
                sa.text('UPDATE "user" SET username = :new WHERE id = :id'),
                {"new": new, "id": user_id},
            )
            folded = new.lower()
        seen.add(folded)


def upgrade() -> None:
    op.create_table(
        "auth_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", evodash.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", evodash.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_key.id"],
            name=op.f("fk_auth_session_api_key_id_api_key"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_auth_session_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
    )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_auth_session_user_id_revoked_at", ["user_id", "revoked_at"], unique=False
        )

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("can_create_keys", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    _rename_case_duplicates()
    op.create_index("uq_user_username_lower", "user", [sa.text("lower(username)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_user_username_lower", table_name="user")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("can_create_keys")

    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_session_user_id_revoked_at")

    op.drop_table("auth_session")
