"""Dependencies of the jobs API: the job from the path, and the list filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from evodash.core.deps import SessionDep
from evodash.core.openapi import raises
from evodash.core.params import Id, Timestamp
from evodash.jobs import service
from evodash.jobs.errors import JobNotFound
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.jobs.schemas import JobFilters
from evodash.teams.deps import ScopeDep


@raises(404)
async def get_job(
    session: SessionDep, scope: ScopeDep, job_id: Annotated[Id, Path(description="Job id")]
) -> ImageProcessingJob:
    job = await service.get_job(session, job_id)
    visible = job.instance_id is not None and scope.sees_instance(job.instance_id)
    if not (scope.unlimited or visible):
        raise JobNotFound(job_id)
    return job


async def job_filters(
    status: Annotated[
        list[JobStatus] | None, Query(description="Only these statuses (repeatable)")
    ] = None,
    instance_id: Annotated[Id | None, Query(description="Only this instance")] = None,
    created_from: Annotated[
        Timestamp | None, Query(description="Created at or after (ISO 8601)")
    ] = None,
    created_to: Annotated[Timestamp | None, Query(description="Created before (ISO 8601)")] = None,
    *,
    scope: ScopeDep,
) -> JobFilters:
    return JobFilters(
        instance_ids=scope.instance_ids,
        statuses=tuple(status or ()),
        instance_id=instance_id,
        created_from=created_from,
        created_to=created_to,
    )


JobDep = Annotated[ImageProcessingJob, Depends(get_job)]
JobFiltersDep = Annotated[JobFilters, Depends(job_filters)]
