"""Evolution API v2: the typed async client, its wire models and its domain errors.

Use :class:`EvolutionClient` for every call to an Evolution server; see ``client.py`` for
the server quirks it absorbs.
"""

from evodash.evolution.client import EvolutionClient
from evodash.evolution.errors import (
    EvolutionConflict,
    EvolutionError,
    EvolutionNotFound,
    EvolutionRejected,
    EvolutionTimeout,
    EvolutionUnauthorized,
    EvolutionUnexpectedAnswer,
    EvolutionUnreachable,
    flatten_message,
)
from evodash.evolution.models import (
    RECOMMENDED_WEBHOOK_EVENTS,
    WEBHOOK_EVENTS,
    ActionResult,
    ConnectionState,
    ConnectionStatus,
    ConnectOutcome,
    ConnectResult,
    CreatedInstance,
    CreatedWebhook,
    FoundMessages,
    InstanceCounts,
    InstanceInfo,
    InstanceSettings,
    MediaBase64,
    MediaSize,
    MessageKey,
    SentMessage,
    ServerInfo,
    WebhookConfig,
    WebhookInfo,
)

__all__ = [
    "RECOMMENDED_WEBHOOK_EVENTS",
    "WEBHOOK_EVENTS",
    "ActionResult",
    "ConnectOutcome",
    "ConnectResult",
    "ConnectionState",
    "ConnectionStatus",
    "CreatedInstance",
    "CreatedWebhook",
    "EvolutionClient",
    "EvolutionConflict",
    "EvolutionError",
    "EvolutionNotFound",
    "EvolutionRejected",
    "EvolutionTimeout",
    "EvolutionUnauthorized",
    "EvolutionUnexpectedAnswer",
    "EvolutionUnreachable",
    "FoundMessages",
    "InstanceCounts",
    "InstanceInfo",
    "InstanceSettings",
    "MediaBase64",
    "MediaSize",
    "MessageKey",
    "SentMessage",
    "ServerInfo",
    "WebhookConfig",
    "WebhookInfo",
    "flatten_message",
]
