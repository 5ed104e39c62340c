"""The ``evodash`` command, run as a user runs it: a real process, real output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import copy_database
from tests.conftest import REPO_ROOT

EVODASH = Path(sys.executable).parent / "evodash"


@pytest.fixture
def env(tmp_path: Path, migrated_sqlite: Path) -> dict[str, str]:
    values = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'evodash.db'}",
        "LOG_FORMAT": "console",
        "LOG_LEVEL": "INFO",
    }
    values.pop("TEST_DATABASE_URL", None)
    copy_database(migrated_sqlite, tmp_path / "data")
    return values


def _createsuperuser(env: dict[str, str], username: str, password: str, email: str = "a@b.co"):
    return subprocess.run(
        [EVODASH, "createsuperuser", "--username", username, "--email", email],
        env={**env, "EVODASH_ADMIN_PASSWORD": password},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=REPO_ROOT,
    )


class TestCreateSuperuser:
    @pytest.mark.parametrize(
        ("username", "password", "email", "expected"),
        [
            ("ab", "long-enough-1", "a@b.co", "evodash: invalid username 'ab': 3 to 150"),
            ("maria", "short", "a@b.co", "evodash: invalid password: at least 8 characters."),
            ("maria", "long-enough-1", "nope", "evodash: invalid email 'nope':"),
        ],
    )
    def test_a_bad_value_is_one_clear_line(
        self, env: dict[str, str], username: str, password: str, email: str, expected: str
    ) -> None:
        result = _createsuperuser(env, username, password, email)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(expected), lines[0]
        assert "pydantic" not in result.stderr and "short" not in lines[0]

    def test_a_taken_username_is_one_clear_line(self, env: dict[str, str]) -> None:
        assert _createsuperuser(env, "maria", "long-enough-1").returncode == 0
        again = _createsuperuser(env, "maria", "long-enough-1")
        assert again.returncode == 1
        assert again.stderr.strip() == "evodash: The username 'maria' is already taken."


def _start_then_stop(
    argv: list[str], env: dict[str, str], log: Path, *, started: str, stop: signal.Signals
) -> tuple[str, int]:
    """Run ``evodash argv`` until its log shows ``started``, then send ``stop``: its whole
    output and its exit code."""
    with log.open("wb") as out:
        process = subprocess.Popen([EVODASH, *argv], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        # Generous: the process imports the whole app, and a full test run on 2 busy cores
        # has taken more than 30 s to start one.
        deadline = time.monotonic() + 90
        while started not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.05)
    finally:
        process.send_signal(stop)
        process.wait(timeout=30)
    return log.read_text(), process.returncode


class TestRun:
    def test_a_stop_is_quiet_and_clean(self, env: dict[str, str], tmp_path: Path) -> None:
        """Ctrl+C ends `evodash run` with its own log lines and nothing else: no report of
        native objects left alive (the collector tuning froze them; see ``untune_gc``)."""
        text, code = _start_then_stop(
            ["run", "--no-migrate", "--port", "0"],
            {**env, "BOOTSTRAP_ADMIN": "false", "STATUS_SYNC_INTERVAL_SECONDS": "0"},
            tmp_path / "run.log",
            started="app.started",
            stop=signal.SIGINT,
        )
        assert text.count("app.stopped") == 1, text
        assert "leaked" not in text, text
        assert code == 0, text


class TestWorker:
    def test_worker_started_is_logged_once(self, env: dict[str, str], tmp_path: Path) -> None:
        text, code = _start_then_stop(
            ["worker", "--no-ocr"],
            env,
            tmp_path / "worker.log",
            started="worker.started",
            stop=signal.SIGTERM,
        )
        assert text.count("worker.started") == 1, text
        assert text.count("worker.stopped") == 1, text
        assert code == 0, text
