"""The webhook evodash configures on each instance, and how to tell when it drifted.

Evolution POSTs every subscribed event to ``{PUBLIC_BASE_URL}/api/webhooks/evolution/{id}``
with the instance's secret in the ``x-evodash-secret`` header (one URL, ``byEvents``
false), media embedded as base64. Someone may change that webhook on the Evolution side
(its manager UI, another tool): :func:`webhook_drift` compares what ``webhook/find``
answers with what we expect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from evodash.core.config import Settings
from evodash.core.security import constant_time_equals
from evodash.evolution import RECOMMENDED_WEBHOOK_EVENTS, WebhookConfig, WebhookInfo
from evodash.evolution.models import WEBHOOK_EVENTS as ALL_WEBHOOK_EVENTS
from evodash.instances.models import EvolutionInstance
from evodash.instances.webhook_secret import clear_secret
from evodash.webhooks import SECRET_HEADER

#: What the receiver handles, so always subscribed: QRCODE_UPDATED, CONNECTION_UPDATE,
#: MESSAGES_UPSERT, MESSAGES_UPDATE, MESSAGES_DELETE, SEND_MESSAGE, LOGOUT_INSTANCE,
#: REMOVE_INSTANCE, STATUS_INSTANCE (all accepted by a real 2.3.6 ``webhook/set``). The
#: others an instance may add are stored and relayed to its destinations.
REQUIRED_EVENTS: tuple[str, ...] = RECOMMENDED_WEBHOOK_EVENTS
WEBHOOK_EVENTS = REQUIRED_EVENTS


def subscription(chosen: Iterable[str] | None) -> list[str]:
    """The events to subscribe: the required ones and ``chosen``, in the server's order."""
    wanted = set(REQUIRED_EVENTS) | set(chosen or ())
    return [name for name in ALL_WEBHOOK_EVENTS if name in wanted]


WEBHOOK_BY_EVENTS = False
WEBHOOK_BASE64 = True


def webhook_url(settings: Settings, instance_id: int) -> str:
    return f"{settings.public_base_url}/api/webhooks/evolution/{instance_id}"


def webhook_config(settings: Settings, instance: EvolutionInstance) -> WebhookConfig:
    return WebhookConfig(
        url=webhook_url(settings, instance.id),
        events=list(instance.webhook_events or WEBHOOK_EVENTS),
        enabled=True,
        by_events=WEBHOOK_BY_EVENTS,
        base64=WEBHOOK_BASE64,
        headers={SECRET_HEADER: clear_secret(instance, settings.secret())},
    )


def webhook_drift(
    settings: Settings, instance: EvolutionInstance, found: WebhookInfo | None
) -> dict[str, Any] | None:
    """``None`` when the webhook on Evolution is ours, else what differs (no secrets)."""
    if found is None:
        return {"missing": True}
    expected = webhook_config(settings, instance)
    drift: dict[str, Any] = {}
    if found.url != expected.url:
        drift["url"] = {"expected": expected.url, "actual": found.url}
    if not found.enabled:
        drift["enabled"] = False
    headers = {str(k).lower(): v for k, v in (found.headers or {}).items()}
    secret = headers.get(SECRET_HEADER)
    if secret is None:
        drift["header"] = "missing"
    elif not constant_time_equals(secret, clear_secret(instance, settings.secret())):
        drift["header"] = "different"
    missing = sorted(set(expected.events) - set(found.events))
    unexpected = sorted(set(found.events) - set(expected.events))
    if missing or unexpected:
        drift["events"] = {"missing": missing, "unexpected": unexpected}
    if found.by_events != expected.by_events:
        drift["by_events"] = found.by_events
    if found.base64 != expected.base64:
        drift["base64"] = found.base64
    return drift or None
