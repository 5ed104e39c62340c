from __future__ import annotations

from fastapi import APIRouter

from evodash.auth.deps import CurrentUser
from evodash.core.deps import SessionDep
from evodash.core.schemas import error_responses
from evodash.stats import service
from evodash.stats.schemas import StatsOverview

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get(
    "/overview",
    response_model=StatsOverview,
    summary="Dashboard figures",
    description="Instances by status, messages in the last 24 hours (per hour too), "
    "blocked messages, jobs by status, and the latest instances, messages and connection "
    "events.",
    responses=error_responses(401),
)
async def overview(_: CurrentUser, session: SessionDep) -> StatsOverview:
    return await service.overview(session)
