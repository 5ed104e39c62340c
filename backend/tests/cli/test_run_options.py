"""What ``evodash run`` hands to uvicorn."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from evodash import cli
from evodash.core.config import Settings


def test_idle_connections_stay_open_as_long_as_configured(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn's own 5 s equals the idle time of Node's agents: a client reusing a
    connection just as the server closed it got ECONNRESET (a browser journey did, in CI).
    evodash keeps idle connections 75 s unless told otherwise."""
    import uvicorn

    assert Settings.model_fields["http_keep_alive_seconds"].default == 75
    configured = settings.model_copy(update={"http_keep_alive_seconds": 42})
    monkeypatch.setattr(cli, "get_settings", lambda: configured)
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(options))
    args = argparse.Namespace(no_migrate=True, host=None, port=None, forwarded_allow_ips=None)
    assert cli.cmd_run(args) == 0
    assert served["timeout_keep_alive"] == 42
