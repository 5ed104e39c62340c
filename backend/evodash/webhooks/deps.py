"""Dependencies of the webhook receiver: the instance, authenticated by its secret."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Header, Request

from evodash.core.config import Settings
from evodash.core.deps import SessionDep
from evodash.core.openapi import raises
from evodash.core.params import Id
from evodash.core.security import constant_time_equals
from evodash.instances.models import EvolutionInstance
from evodash.webhooks import SECRET_HEADER
from evodash.webhooks.errors import WebhookUnauthorized
from evodash.webhooks.forwarding import Forwarder

log = structlog.get_logger(__name__)

# Compared against when the instance does not exist, so both cases take as long.
_NO_SECRET = "evodash-no-such-instance-" + "x" * 40


@raises(401)
async def authenticated_instance(
    instance_id: Id,
    request: Request,
    session: SessionDep,
    secret: Annotated[
        str | None,
        Header(
            alias=SECRET_HEADER,
            description="The instance's webhook secret, configured on Evolution as a "
            "custom webhook header",
        ),
    ] = None,
) -> EvolutionInstance:
    """The instance whose secret came with the request; 401 otherwise (body never read)."""
    instance = await session.get(EvolutionInstance, instance_id)
    expected = instance.webhook_secret if instance is not None else _NO_SECRET
    if constant_time_equals(secret, expected) and instance is not None:
        return instance
    reason = (
        "unknown_instance"
        if instance is None
        else "missing_secret"
        if not secret
        else "wrong_secret"
    )
    client = request.client.host if request.client else "unknown"
    log.warning("webhook.unauthorized", instance_id=instance_id, reason=reason, client=client)
    raise WebhookUnauthorized()


async def get_forwarder(request: Request) -> Forwarder | None:
    # ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, a round trip to
    # a worker thread on every webhook for an attribute lookup.
    tasks = getattr(request.app.state, "webhook_tasks", None)
    return tasks.forwarder if tasks is not None else None


async def receiver_settings(request: Request) -> Settings:
    """The settings, without the thread-pool hop of the shared (plain ``def``) dependency."""
    settings: Settings = request.app.state.settings
    return settings


ReceiverSettingsDep = Annotated[Settings, Depends(receiver_settings)]
WebhookInstanceDep = Annotated[EvolutionInstance, Depends(authenticated_instance)]
ForwarderDep = Annotated[Forwarder | None, Depends(get_forwarder)]
