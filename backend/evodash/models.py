"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from evodash.alerts.models import Alert, AlertChannel, AlertDelivery, AlertProbe, AlertRule
from evodash.auth.models import AuthSession
from evodash.bulk.models import BulkItem, BulkOperation
from evodash.core.db import Base
from evodash.destinations.models import ForwardDestination
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.ledger.models import Invoice
from evodash.messages.models import WhatsAppMessage
from evodash.reconnect.models import ReconnectLink
from evodash.recovery.models import RecoveryRun
from evodash.reports.models import MessageDaily, MessageHourly, SenderDaily, UptimeDaily
from evodash.servers.models import EvolutionServer
from evodash.teams.models import Team, TeamInstance, TeamMember, TeamServer
from evodash.templates.models import FleetTemplate, TemplateLink
from evodash.users.models import ApiKey, AuditLog, User
from evodash.webhooks.models import WebhookDelivery, WebhookEvent

__all__ = [
    "Alert",
    "AlertChannel",
    "AlertDelivery",
    "AlertProbe",
    "AlertRule",
    "ApiKey",
    "AuditLog",
    "AuthSession",
    "Base",
    "BulkItem",
    "BulkOperation",
    "ConnectionEvent",
    "EvolutionInstance",
    "EvolutionServer",
    "FleetTemplate",
    "ForwardDestination",
    "ImageProcessingJob",
    "Invoice",
    "MessageDaily",
    "MessageHourly",
    "ReconnectLink",
    "RecoveryRun",
    "SenderDaily",
    "Team",
    "TeamInstance",
    "TeamMember",
    "TeamServer",
    "TemplateLink",
    "UptimeDaily",
    "User",
    "WebhookDelivery",
    "WebhookEvent",
    "WhatsAppMessage",
]
