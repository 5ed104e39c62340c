from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.webhooks.tasks import WebhookTasks
from tests.factories import UserFactory
from tests.webhooks.support import ForwardJobs, InstanceFactory


@pytest.fixture
def instances(db: async_sessionmaker[AsyncSession]) -> InstanceFactory:
    return InstanceFactory(db)


@pytest.fixture
def webhook_tasks(app: FastAPI, db: async_sessionmaker[AsyncSession]) -> WebhookTasks:
    """The app's periodic webhook work, not started: a test runs one round at a time."""
    return WebhookTasks(db, app.state.settings)


@pytest.fixture
async def forwarding(app: FastAPI) -> AsyncIterator[ForwardJobs]:
    """Forward jobs run by a worker of the test (needs ``@pytest.mark.commits``)."""
    jobs = ForwardJobs(app)
    await jobs.worker.start()
    yield jobs
    await jobs.worker.stop(grace=5)


@pytest.fixture
async def admin_headers(
    users: UserFactory, as_user: Callable[..., Awaitable[dict[str, str]]]
) -> dict[str, str]:
    return await as_user(await users.admin())


@pytest.fixture
async def operator_headers(
    users: UserFactory, as_user: Callable[..., Awaitable[dict[str, str]]]
) -> dict[str, str]:
    return await as_user(await users.operator())


@pytest.fixture
async def viewer_headers(
    users: UserFactory, as_user: Callable[..., Awaitable[dict[str, str]]]
) -> dict[str, str]:
    return await as_user(await users.viewer())
