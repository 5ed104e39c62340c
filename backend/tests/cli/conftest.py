"""The CLI tests start from a migrated SQLite database copied from one made per test
process, instead of running ``evodash migrate`` (a whole interpreter and every migration)
for each test. ``test_backup_cli`` still runs ``evodash migrate`` as a user does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evodash.core.migrate import upgrade
from tests.conftest import _in_thread


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-template") / "evodash.db"
    _in_thread(lambda: upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


def copy_database(template: Path, data_dir: Path) -> None:
    """``data_dir/evodash.db``, migrated, with the folder and file modes the app makes."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = data_dir / "evodash.db"
    shutil.copyfile(template, target)
    target.chmod(0o600)
