"""Fixtures of the backups tests: the simulator over HTTP and role headers."""

from tests.lifecycle_fixtures import (  # noqa: F401 (fixtures)
    admin,
    headers_of,
    operator,
    running_simulator,
    settings,
    simulator_process,
    viewer,
)
