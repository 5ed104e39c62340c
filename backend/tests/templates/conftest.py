"""Fixtures of the templates and bulk operations tests (shared with the lifecycle ones)."""

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
