"""uptime: `unreachable` counts as an unknown state; forget the days computed before

Revision ID: c4f1a2b3d5e6
Revises: 1d3e1ac6d890
Create Date: 2026-12-02 14:10:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4f1a2b3d5e6"
down_revision: str | None = "1d3e1ac6d890"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `uptime_daily` is a cache of finished days: the days kept counted time `unreachable`
    # as observed. They are computed again, the new way, when next asked for.
    op.execute("DELETE FROM uptime_daily")


def downgrade() -> None:
    op.execute("DELETE FROM uptime_daily")
