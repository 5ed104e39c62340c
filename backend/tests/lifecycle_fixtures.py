"""Fixtures shared by the servers and instances tests: fast Evolution timeouts, role
headers, the simulator over HTTP. Each package's conftest imports them."""

from __future__ import annotations

import pytest

from evodash.core.config import Settings
from evodash.users.models import Role
from tests.factories import UserFactory
from tests.instances.helpers import HeadersFor
from tests.simulator_server import (  # noqa: F401 (fixtures)
    closed_port_url,
    running_simulator,
    simulator_process,
)

#: Deliberately short, so failure tests finish fast (and prove the bound).
TIMEOUT = 1.5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            # Nothing listens there: the simulator's webhook deliveries fail fast.
            "public_base_url": closed_port_url(),
            "evolution_timeout_seconds": TIMEOUT,
            "evolution_connect_timeout_seconds": 2.0,
            "evolution_read_retries": 0,
            "status_sync_concurrency": 10,
        }
    )


@pytest.fixture
def headers_of(users: UserFactory, as_user: HeadersFor) -> HeadersFor:
    async def make(role: Role = Role.admin) -> dict[str, str]:
        return await as_user(await users.create(role))

    return make


@pytest.fixture
async def admin(headers_of: HeadersFor) -> dict[str, str]:
    return await headers_of(Role.admin)


@pytest.fixture
async def operator(headers_of: HeadersFor) -> dict[str, str]:
    return await headers_of(Role.operator)


@pytest.fixture
async def viewer(headers_of: HeadersFor) -> dict[str, str]:
    return await headers_of(Role.viewer)
