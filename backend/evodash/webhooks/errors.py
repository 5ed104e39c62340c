from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import (
    AppError,
    BadRequest,
    Conflict,
    NotAuthenticated,
    NotFound,
    Unprocessable,
)
from evodash.webhooks import SECRET_HEADER


class WebhookUnauthorized(NotAuthenticated):
    code: ClassVar[str] = "invalid_webhook_secret"

    def __init__(self) -> None:
        super().__init__(
            f"Unknown instance or wrong webhook secret: Evolution must send the instance's "
            f"secret in the {SECRET_HEADER} header."
        )


class WebhookInstanceGone(AppError):
    """The instance was deleted while its event was on the way (Evolution sends
    ``remove.instance`` while evodash is still deleting it). A 4xx other than 429, so
    Evolution does not retry."""

    status_code: ClassVar[int] = 410
    code: ClassVar[str] = "webhook_instance_gone"

    def __init__(self) -> None:
        super().__init__("The instance was deleted; its events are no longer stored.")


class MalformedWebhook(BadRequest):
    code: ClassVar[str] = "malformed_json"

    def __init__(self, reason: str) -> None:
        super().__init__(f"The body is not valid JSON: {reason}.")


class NotAnEvolutionEvent(Unprocessable):
    code: ClassVar[str] = "not_an_evolution_event"

    def __init__(self, reason: str) -> None:
        super().__init__(f"The body is not an Evolution webhook event: {reason}.")


class EventNotFound(NotFound):
    code: ClassVar[str] = "webhook_event_not_found"

    def __init__(self) -> None:
        super().__init__("No such webhook event (it may have been purged).")


class DeliveryNotFound(NotFound):
    code: ClassVar[str] = "webhook_delivery_not_found"

    def __init__(self) -> None:
        super().__init__("No such forwarding attempt.")


class EventNotReplayable(Conflict):
    code: ClassVar[str] = "webhook_event_not_replayable"

    def __init__(self, reason: str) -> None:
        super().__init__(f"This event cannot be replayed: {reason}.")


class DeliveryNotRetryable(Conflict):
    code: ClassVar[str] = "webhook_delivery_not_retryable"

    def __init__(self, reason: str) -> None:
        super().__init__(f"This forwarding attempt cannot be retried: {reason}.")


class WebhookNotStored(AppError):
    """The inbox could not be written (the database is down or overloaded). A 5xx, so
    Evolution sends the event again later; nothing was acknowledged."""

    status_code: ClassVar[int] = 503
    code: ClassVar[str] = "webhook_not_stored"

    def __init__(self) -> None:
        super().__init__("The event could not be stored right now; send it again later.")
