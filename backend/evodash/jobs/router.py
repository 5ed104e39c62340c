"""The jobs API: list, counts, detail, the stored image and thumbnail, retry, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from evodash.auth.deps import CurrentUser, OperatorUser
from evodash.core.deps import ClientIP, SessionDep, SettingsDep
from evodash.core.pagination import PageParams, page_params
from evodash.core.schemas import Page, error_responses
from evodash.jobs import service
from evodash.jobs.deps import JobDep, JobFiltersDep
from evodash.jobs.schemas import JobCounts, JobDetail, JobRead

router = APIRouter(prefix="/jobs", tags=["jobs"])

Paging = Annotated[PageParams, Depends(page_params)]
_IMAGE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The image, with the type read from its content",
    },
    **error_responses(401, 404),
}


@router.get(
    "",
    response_model=Page[JobRead],
    summary="List image processing jobs, newest first",
    responses=error_responses(401, 422),
)
async def list_jobs(
    _: CurrentUser, session: SessionDep, filters: JobFiltersDep, paging: Paging
) -> Page[JobRead]:
    items, total = await service.list_jobs(
        session, filters, offset=paging.offset, limit=paging.page_size
    )
    return Page(items=items, total=total, page=paging.page, page_size=paging.page_size)


@router.get(
    "/counts",
    response_model=JobCounts,
    summary="Count jobs per status (status filter ignored)",
    responses=error_responses(401, 422),
)
async def job_counts(_: CurrentUser, session: SessionDep, filters: JobFiltersDep) -> JobCounts:
    return await service.job_counts(session, filters)


@router.get(
    "/{job_id}",
    response_model=JobDetail,
    summary="A job with its result",
    responses=error_responses(401, 404),
)
async def get_job(_: CurrentUser, job: JobDep) -> JobDetail:
    return service.to_detail(job)


@router.get(
    "/{job_id}/image",
    response_class=FileResponse,
    summary="The original image of a job",
    responses=_IMAGE_RESPONSES,
)
async def job_image(_: CurrentUser, job: JobDep, settings: SettingsDep) -> FileResponse:
    path, mimetype = await service.job_file(job, "image", settings.media_root)
    return FileResponse(path, media_type=mimetype, headers={"Cache-Control": "private"})


@router.get(
    "/{job_id}/thumbnail",
    response_class=FileResponse,
    summary="The thumbnail of a job's image (JPEG)",
    responses=_IMAGE_RESPONSES,
)
async def job_thumbnail(_: CurrentUser, job: JobDep, settings: SettingsDep) -> FileResponse:
    path, mimetype = await service.job_file(job, "thumbnail", settings.media_root)
    return FileResponse(path, media_type=mimetype, headers={"Cache-Control": "private"})


@router.post(
    "/{job_id}/retry",
    response_model=JobRead,
    summary="Run a finished job again",
    responses=error_responses(401, 403, 404, 409),
)
async def retry_job(actor: OperatorUser, session: SessionDep, job: JobDep, ip: ClientIP) -> JobRead:
    job_id = job.id
    return service.to_read(await service.retry_job(session, job_id, actor=actor, ip=ip))


@router.post(
    "/{job_id}/cancel",
    response_model=JobRead,
    summary="Cancel a queued or running job",
    responses=error_responses(401, 403, 404, 409),
)
async def cancel_job(
    actor: OperatorUser, session: SessionDep, job: JobDep, ip: ClientIP
) -> JobRead:
    job_id = job.id
    return service.to_read(await service.cancel_job(session, job_id, actor=actor, ip=ip))
