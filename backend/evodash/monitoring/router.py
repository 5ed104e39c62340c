"""``GET /metrics``: the Prometheus text exposition, for a scraper with the metrics token
or for an admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from evodash.auth.deps import api_key_scheme, bearer_scheme, check_role, get_current_auth
from evodash.core import metrics
from evodash.core.deps import SessionDep, SettingsDep
from evodash.core.openapi import raises
from evodash.core.schemas import error_responses
from evodash.core.security import constant_time_equals
from evodash.monitoring import gauges
from evodash.users.models import Role

router = APIRouter(tags=["monitoring"])


@raises(401, 403)
async def scraper_or_admin(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> None:
    """``Authorization: Bearer <METRICS_TOKEN>``, or any admin's credentials."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    bearer = credentials.credentials if credentials is not None else None
    if token and constant_time_equals(bearer, token):
        return
    ctx = await get_current_auth(request, session, settings, None, credentials, api_key)
    check_role(ctx, Role.admin)


@router.get(
    "/metrics",
    summary="Prometheus metrics (metrics token or admin)",
    description="The text exposition format (version 0.0.4): counters and histograms of "
    "this process (of every process sharing `PROMETHEUS_MULTIPROC_DIR`), and fleet "
    "gauges read from the database. Send `Authorization: Bearer <METRICS_TOKEN>`; an "
    "admin's session, token or API key works too. See docs/operations.md.",
    response_class=Response,
    responses={
        200: {
            "description": "The exposition",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **error_responses(401, 403),
    },
    dependencies=[Depends(scraper_or_admin)],
)
async def read_metrics(session: SessionDep) -> Response:
    families = await gauges.read(session)
    return Response(metrics.render(families), media_type=metrics.CONTENT_TYPE_LATEST)
