"""``/api/instances/{id}/recover`` and ``/recoveries``: fetch from Evolution the messages
whose webhooks never arrived, and the record of each pass."""

from __future__ import annotations

from fastapi import APIRouter, Body, status

from evodash.auth.deps import CurrentUser, OperatorUser
from evodash.core.deps import ClientIP, SessionDep
from evodash.core.schemas import error_responses
from evodash.instances.deps import AnyInstanceDep, InstanceDep
from evodash.recovery import service
from evodash.recovery.deps import RecoveryDep
from evodash.recovery.errors import RecoveryRunning
from evodash.recovery.models import RecoveryTrigger
from evodash.recovery.schemas import RecoverRequest, RecoveryRunRead
from evodash.users import audit

router = APIRouter(prefix="/instances/{instance_id:int}", tags=["recovery"])


@router.post(
    "/recover",
    response_model=RecoveryRunRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Recover the messages whose webhooks never arrived",
    description="Starts a pass in the background: evodash asks Evolution for the messages "
    "it stored since `since` (default: the newest message stored here, minus a safety "
    "margin), page by page, and stores each one not stored yet exactly as if its webhook "
    "had arrived (allow-list, image jobs, live updates). Follow it with `GET "
    "/api/instances/{id}/recoveries`. evodash also runs a pass by itself after it starts "
    "and whenever an instance goes back to `open`.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def recover(
    actor: OperatorUser,
    instance: InstanceDep,
    session: SessionDep,
    recovery: RecoveryDep,
    ip: ClientIP,
    body: RecoverRequest | None = Body(default=None),
) -> RecoveryRunRead:
    since = body.since if body is not None else None
    run = await recovery.request(
        instance.id, RecoveryTrigger.manual, since=since, requested_by=actor.id
    )
    if run is None:
        raise RecoveryRunning()
    audit.record(
        session,
        actor,
        "instance.recovery_requested",
        object_type="instance",
        object_id=instance.id,
        detail={"run_id": run.id, "since": run.since.isoformat()},
        ip=ip,
    )
    return RecoveryRunRead.model_validate(run)


@router.get(
    "/recoveries",
    response_model=list[RecoveryRunRead],
    summary="The latest recovery passes of an instance, newest first",
    responses=error_responses(401, 404, 422),
)
async def list_recoveries(
    _: CurrentUser, instance: AnyInstanceDep, session: SessionDep
) -> list[RecoveryRunRead]:
    return [RecoveryRunRead.model_validate(r) for r in await service.history(session, instance.id)]
