from __future__ import annotations

from fastapi import APIRouter, Request

from evodash.auth.deps import CurrentUser
from evodash.core.deps import SessionDep
from evodash.core.schemas import error_responses
from evodash.stats import service
from evodash.stats.schemas import StatsOverview
from evodash.teams.deps import ScopeDep

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get(
    "/overview",
    response_model=StatsOverview,
    summary="Dashboard figures",
    description="Instances by status, messages in the last 24 hours (per hour too), "
    "blocked messages, jobs by status, and the latest instances, messages and connection "
    "events. Counts of completed hours may lag by up to a minute; the current hour is "
    "always live.",
    responses=error_responses(401),
)
async def overview(
    _: CurrentUser, session: SessionDep, request: Request, scope: ScopeDep
) -> StatsOverview:
    cache = getattr(request.app.state, "stats_cache", None)
    if cache is None:
        cache = request.app.state.stats_cache = service.StatsCache()
    return await service.overview(session, cache, scope)
