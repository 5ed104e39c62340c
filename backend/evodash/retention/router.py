from __future__ import annotations

from fastapi import APIRouter

from evodash.auth.deps import AdminUser
from evodash.core.deps import SessionMakerDep, SettingsDep
from evodash.core.schemas import error_responses
from evodash.retention.service import PurgeReport, purge

router = APIRouter(prefix="/retention", tags=["retention"])


@router.get(
    "/preview",
    response_model=PurgeReport,
    summary="What the next retention purge would delete",
    description="The age setting of each kind of data (RETENTION_*_DAYS, and each "
    "instance's `message_retention_days`) and how many rows are past it. Nothing is "
    "deleted here; the purge runs on its own every RETENTION_PURGE_INTERVAL_SECONDS.",
    responses=error_responses(401, 403),
)
async def preview(
    _: AdminUser, sessionmaker: SessionMakerDep, settings: SettingsDep
) -> PurgeReport:
    return await purge(sessionmaker, settings, dry_run=True)
