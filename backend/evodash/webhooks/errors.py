from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import BadRequest, Conflict, NotAuthenticated, NotFound, Unprocessable
from evodash.webhooks import SECRET_HEADER


class WebhookUnauthorized(NotAuthenticated):
    code: ClassVar[str] = "invalid_webhook_secret"

    def __init__(self) -> None:
        super().__init__(
            f"Unknown instance or wrong webhook secret: Evolution must send the instance's "
            f"secret in the {SECRET_HEADER} header."
        )


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
