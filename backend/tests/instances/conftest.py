"""Fixtures of the instances tests (shared with the other lifecycle package)."""

from tests.lifecycle_fixtures import (  # noqa: F401 (fixtures)
    TIMEOUT,
    admin,
    closed_port_url,
    headers_of,
    operator,
    running_simulator,
    settings,
    simulator_process,
    viewer,
)
