"""Migrating a new SQLite database, as the first `make run` does."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

from evodash.core.migrate import upgrade


def test_a_new_database_migrates_without_a_warning_and_keeps_its_expression_indexes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.db"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        upgrade(f"sqlite+aiosqlite:///{path}")
    assert [str(w.message) for w in caught] == []
    # The warning that was silenced is about reflecting this index: the batch operations
    # that reflected it must not have dropped it.
    with sqlite3.connect(path) as conn:
        sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'uq_user_username_lower'"
        ).fetchone()
    assert sql is not None and "lower(username)" in sql[0].lower()
