"""``evodash backup export|import`` as a user runs them: real processes, real files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import copy_database
from tests.cli.test_cli import EVODASH, _createsuperuser
from tests.conftest import REPO_ROOT

PASSPHRASE = "uma frase secreta longa"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EVODASH, "backup", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=REPO_ROOT,
    )


@pytest.fixture
def env(tmp_path: Path, migrated_sqlite: Path) -> dict[str, str]:
    values = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'evodash.db'}",
        "EVODASH_BACKUP_PASSPHRASE": PASSPHRASE,
        "LOG_LEVEL": "WARNING",
    }
    values.pop("TEST_DATABASE_URL", None)
    copy_database(migrated_sqlite, tmp_path / "data")
    return values


class TestBackupCli:
    def test_export_then_import_into_a_new_database(
        self, env: dict[str, str], tmp_path: Path
    ) -> None:
        assert _createsuperuser(env, "maria", "long-enough-1").returncode == 0
        # An admin's alert setting (as PATCH /api/alerts/rules/zombie writes it).
        with sqlite3.connect(tmp_path / "data" / "evodash.db") as db:
            db.execute(
                "INSERT INTO alert_rule (kind, enabled, params, updated_at) "
                "VALUES ('zombie', 0, '{\"threshold_seconds\": 900}', '2026-12-01 10:00:00')"
            )
        out = tmp_path / "backup.json"
        exported = _run(env, "export", "--output", str(out))
        assert exported.returncode == 0, exported.stderr
        assert "1 users" in exported.stdout
        assert out.stat().st_mode & 0o777 == 0o600
        assert json.loads(out.read_text())["users"][0]["username"] == "maria"

        fresh = {
            **env,
            "DATA_DIR": str(tmp_path / "new"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'new' / 'evodash.db'}",
        }
        subprocess.run([EVODASH, "migrate"], env=fresh, check=True, cwd=REPO_ROOT)
        dry = _run(fresh, "import", str(out), "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "dry run" in dry.stdout
        assert "users              1        0          0" in dry.stdout
        assert "alert_rules        1        0          0" in dry.stdout
        done = _run(fresh, "import", str(out))
        assert "users              1        0          0" in done.stdout
        again = _run(fresh, "import", str(out))
        assert "users              0        0          1" in again.stdout
        assert "alert_rules        0        0          1" in again.stdout

    def test_wrong_passphrase_and_garbage_are_one_clear_line(
        self, env: dict[str, str], tmp_path: Path
    ) -> None:
        out = tmp_path / "backup.json"
        assert _run(env, "export", "-o", str(out)).returncode == 0
        wrong = _run({**env, "EVODASH_BACKUP_PASSPHRASE": "not the right one"}, "import", str(out))
        assert wrong.returncode == 1
        assert wrong.stderr.strip() == "evodash: The passphrase does not open this backup."
        garbage = tmp_path / "garbage.json"
        garbage.write_text('{"format": "something else"}')
        bad = _run(env, "import", str(garbage))
        assert bad.returncode == 1
        assert bad.stderr.startswith("evodash: ") and "is not an evodash backup" in bad.stderr
        missing = _run(env, "import", str(tmp_path / "nope.json"))
        assert missing.returncode == 1 and "cannot read" in missing.stderr


class TestPurgeCli:
    def test_dry_run_says_what_would_go(self, env: dict[str, str]) -> None:
        result = subprocess.run(
            [EVODASH, "purge", "--dry-run"],
            env={**env, "RETENTION_AUDIT_DAYS": "30"},
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
        )
        assert result.returncode == 0, result.stderr
        assert "(dry run)" in result.stdout
        assert "audit_entries      would delete 0 (older than 30 days)" in result.stdout
        assert "jobs               kept forever" in result.stdout
