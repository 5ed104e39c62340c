"""Mounts every domain router under /api."""

from __future__ import annotations

import functools
import re

from fastapi import APIRouter
from fastapi.routing import APIRoute

from evodash.alerts.router import router as alerts_router
from evodash.auth.router import router as auth_router
from evodash.backups.router import router as backups_router
from evodash.bulk.router import router as bulk_router
from evodash.destinations.router import router as destinations_router
from evodash.instances.router import router as instances_router
from evodash.jobs.router import router as jobs_router
from evodash.ledger.router import router as invoices_router
from evodash.messages.router import allowlist_router as message_allowlist_router
from evodash.messages.router import instance_router as instance_messages_router
from evodash.messages.router import router as messages_router
from evodash.privacy.router import router as privacy_router
from evodash.reconnect.router import public_router as reconnect_public_router
from evodash.reconnect.router import router as reconnect_router
from evodash.recovery.router import router as recovery_router
from evodash.reports.router import router as reports_router
from evodash.reports.router import uptime_router
from evodash.retention.router import router as retention_router
from evodash.servers.router import router as servers_router
from evodash.stats.router import router as stats_router
from evodash.teams.router import router as teams_router
from evodash.templates.router import router as templates_router
from evodash.users.router import audit_router
from evodash.users.router import router as users_router
from evodash.webhooks.router import receiver_router as webhook_receiver_router
from evodash.webhooks.router import router as webhooks_router

#: Every domain router, in the order routes are matched: the busiest path (thousands of
#: webhooks a second) first.
DOMAIN_ROUTERS: tuple[APIRouter, ...] = (
    webhook_receiver_router,
    auth_router,
    users_router,
    audit_router,
    servers_router,
    instances_router,
    stats_router,
    reports_router,
    uptime_router,
    backups_router,
    retention_router,
    privacy_router,
    invoices_router,
    jobs_router,
    webhooks_router,
    messages_router,
    instance_messages_router,
    message_allowlist_router,
    recovery_router,
    teams_router,
    templates_router,
    bulk_router,
    destinations_router,
    alerts_router,
    reconnect_router,
    reconnect_public_router,
)

#: Each domain router is included in the app under this prefix on its own (main.py), not
#: through one ``/api`` router: FastAPI matches an included router by walking every route
#: beneath it, on every request, so a router of all the API's routes cost each request
#: under ``/api`` about 30 µs more (a webhook: 125 µs -> 92 µs through the whole stack).
API_PREFIX = "/api"

_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


@functools.cache
def route_templates() -> dict[int, str]:
    """The whole path template (``/api/instances/{instance_id}``) of each domain route, by
    the route's id: a routed request's ``scope["route"]`` only knows its path inside its
    domain router, without the ``/api`` it is included under. The routers are built at
    import, so once per process (read-only)."""
    return {
        id(route): _CONVERTOR.sub(r"{\1}", API_PREFIX + route.path)
        for router in DOMAIN_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
    }
