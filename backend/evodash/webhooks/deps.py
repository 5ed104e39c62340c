"""Dependencies of the webhook routes (``async``: FastAPI runs a plain ``def`` dependency
in its thread pool, a round trip to a worker thread on every webhook)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from evodash.webhooks.tasks import WebhookTasks


async def get_webhook_tasks(request: Request) -> WebhookTasks:
    """The process's receiver and applier (built by the lifespan)."""
    tasks: WebhookTasks = request.app.state.webhook_tasks
    return tasks


WebhookTasksDep = Annotated[WebhookTasks, Depends(get_webhook_tasks)]
