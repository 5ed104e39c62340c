"""Mounts every domain router under /api."""

from __future__ import annotations

from fastapi import APIRouter

from evodash.auth.router import router as auth_router
from evodash.backups.router import router as backups_router
from evodash.instances.router import router as instances_router
from evodash.jobs.router import router as jobs_router
from evodash.ledger.router import router as invoices_router
from evodash.messages.router import allowlist_router as message_allowlist_router
from evodash.messages.router import instance_router as instance_messages_router
from evodash.messages.router import router as messages_router
from evodash.privacy.router import router as privacy_router
from evodash.reports.router import router as reports_router
from evodash.retention.router import router as retention_router
from evodash.servers.router import router as servers_router
from evodash.stats.router import router as stats_router
from evodash.users.router import audit_router
from evodash.users.router import router as users_router
from evodash.webhooks.router import receiver_router as webhook_receiver_router
from evodash.webhooks.router import router as webhooks_router

api_router = APIRouter(prefix="/api")
# Routes are matched in order: the busiest path (thousands of webhooks a second) first.
api_router.include_router(webhook_receiver_router)
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(audit_router)
api_router.include_router(servers_router)
api_router.include_router(instances_router)
api_router.include_router(stats_router)
api_router.include_router(reports_router)
api_router.include_router(backups_router)
api_router.include_router(retention_router)
api_router.include_router(privacy_router)
api_router.include_router(invoices_router)
api_router.include_router(jobs_router)
api_router.include_router(webhooks_router)
api_router.include_router(messages_router)
api_router.include_router(instance_messages_router)
api_router.include_router(message_allowlist_router)
