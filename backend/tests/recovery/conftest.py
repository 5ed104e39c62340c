"""Fixtures of the recovery tests: evodash served on loopback (so the simulator's webhooks
reach it), the simulator in a thread with quick webhook retries that give up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evodash.simulator import RetryPolicy, create_simulator_app
from tests.lifecycle_fixtures import (  # noqa: F401 (fixtures)
    admin,
    headers_of,
    operator,
    viewer,
)
from tests.live import free_port
from tests.simulator_server import SIM_API_KEY, RunningSimulator, serve_in_thread

#: Three quick attempts, then the simulator gives the webhook up (as Evolution does after
#: ~20 minutes).
GIVE_UP_FAST = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05, timeout=2.0)


@pytest.fixture
def evodash_port() -> int:
    return free_port()


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    app = create_simulator_app(
        api_key=SIM_API_KEY, retry=GIVE_UP_FAST, receipt_delay=None, reconnect_delay=0.05
    )
    with serve_in_thread(app) as url:
        yield RunningSimulator(url, SIM_API_KEY)
