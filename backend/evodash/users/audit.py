"""The audit log: who did what to which object, when, from where.

``record`` adds the entry to the request's transaction, so it is kept exactly when the
action is. ``record_detached`` commits on its own session: for failures (a wrong password)
whose request transaction is rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.csvexport import Separator, csv_response
from evodash.core.db import utcnow
from evodash.users.models import AuditLog, User

log = structlog.get_logger(__name__)

#: Request context copied into every audit entry's detail when present.
ATTRIBUTION = ("api_key_id", "api_key_name", "scope_teams")


def _entry(
    actor: User | None,
    action: str,
    *,
    object_type: str | None,
    object_id: object | None,
    detail: dict[str, Any] | None,
    ip: str | None,
    success: bool,
    message: str | None,
    username: str | None,
) -> AuditLog:
    # What the request carried: the API key it was made with, the teams it was limited to.
    bound = structlog.contextvars.get_contextvars()
    attribution = {k: bound[k] for k in ATTRIBUTION if bound.get(k) is not None}
    if attribution:
        detail = {**(detail or {}), **attribution}
    return AuditLog(
        user_id=actor.id if actor else None,
        username=actor.username if actor else username,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=detail,
        ip_address=ip,
        success=success,
        message=message,
    )


def record(
    session: AsyncSession,
    actor: User | None,
    action: str,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    success: bool = True,
    message: str | None = None,
    username: str | None = None,
) -> None:
    entry = _entry(
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip=ip,
        success=success,
        message=message,
        username=username,
    )
    session.add(entry)
    log.info(
        "audit",
        action=action,
        object_type=object_type,
        object_id=entry.object_id,
        user=entry.username,
        success=success,
    )


async def record_detached(
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: User | None,
    action: str,
    **kwargs: Any,
) -> None:
    async with sessionmaker() as session:
        record(session, actor, action, **kwargs)
        await session.commit()


AUDIT_CSV_HEADER = [
    "id",
    "created_at",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "success",
    "ip_address",
    "message",
    "detail",
]


def audit_csv(entries: Sequence[AuditLog], separator: Separator) -> Response:
    rows = (
        (
            e.id,
            e.created_at,
            e.user_id,
            e.username,
            e.action,
            e.object_type,
            e.object_id,
            e.success,
            e.ip_address,
            e.message,
            None if e.detail is None else json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
        )
        for e in entries
    )
    name = f"evodash-audit-{utcnow():%Y%m%d-%H%M%S}.csv"
    return csv_response(name, AUDIT_CSV_HEADER, rows, separator)
