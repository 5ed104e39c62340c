"""Fixtures of the reconnect-link tests (the simulator over HTTP, role headers)."""

from tests.lifecycle_fixtures import (  # noqa: F401 (fixtures)
    admin,
    headers_of,
    operator,
    running_simulator,
    settings,
    simulator_process,
    viewer,
)
