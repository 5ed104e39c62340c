"""``/api/bulk-operations``: a template or an action (disconnect, restart, delete, webhook
re-apply) over many instances, one result per instance, retried for the failed ones."""

from __future__ import annotations

from fastapi import APIRouter, status

from evodash.auth.deps import CurrentAuth, CurrentUser, OperatorUser, check_role
from evodash.auth.sessions import AuthContext
from evodash.bulk import service
from evodash.bulk.models import BulkAction
from evodash.bulk.schemas import BulkCreate, BulkOperationRead
from evodash.core.deps import ClientIP, HttpClientDep, SessionDep, SessionMakerDep, SettingsDep
from evodash.core.params import Id
from evodash.core.schemas import error_responses
from evodash.teams.deps import ScopeDep
from evodash.users.models import Role

router = APIRouter(prefix="/bulk-operations", tags=["bulk"])


def _check_role(action: BulkAction, auth: AuthContext) -> None:
    """Deleting needs the admin role, in bulk as one by one (and no key limited to
    instances or teams, as `DELETE /api/instances/{id}`)."""
    if action is BulkAction.delete:
        check_role(auth, Role.admin)


@router.post(
    "",
    response_model=BulkOperationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Prepare a bulk operation",
    description="Checks the instances (all in the caller's scope, else 404) and stores one "
    "pending item per instance; `POST /bulk-operations/{id}/run` runs it. `delete` needs "
    "the admin role and `confirmation`: the number of instances, typed by the user.",
    responses=error_responses(401, 403, 404, 422),
)
async def create_operation(
    body: BulkCreate,
    actor: OperatorUser,
    auth: CurrentAuth,
    session: SessionDep,
    scope: ScopeDep,
    ip: ClientIP,
) -> BulkOperationRead:
    _check_role(body.action, auth)
    operation = await service.create(session, body, scope, actor=actor, ip=ip)
    return await service.to_read(session, operation, scope)


@router.post(
    "/{operation_id:int}/run",
    response_model=BulkOperationRead,
    summary="Run a bulk operation (again, for the failed instances)",
    description="Runs every pending or failed instance, a bounded number at a time, and "
    "answers when all are done. Each instance's result is stored and sent as a `bulk.item` "
    "realtime event as soon as it is known. 409 while another run of it goes on.",
    responses=error_responses(401, 403, 404, 409),
)
async def run_operation(
    operation_id: Id,
    actor: OperatorUser,
    auth: CurrentAuth,
    session: SessionDep,
    sessionmaker: SessionMakerDep,
    http: HttpClientDep,
    settings: SettingsDep,
    scope: ScopeDep,
    ip: ClientIP,
) -> BulkOperationRead:
    operation = await service.get(session, operation_id, actor, scope)
    _check_role(BulkAction(operation.action), auth)
    # The run commits as it goes, in transactions of its own: end this one first (it only
    # read, or noted when an API key was used), so that nothing here waits on it.
    await session.commit()
    await service.run(sessionmaker, http, settings, operation_id, scope, actor=actor, ip=ip)
    await session.refresh(operation)
    return await service.to_read(session, operation, scope)


@router.get(
    "/{operation_id:int}",
    response_model=BulkOperationRead,
    summary="Get a bulk operation and its results",
    description="Its creator and admins see it; its items are those in the caller's scope.",
    responses=error_responses(401, 404),
)
async def get_operation(
    operation_id: Id, reader: CurrentUser, session: SessionDep, scope: ScopeDep
) -> BulkOperationRead:
    operation = await service.get(session, operation_id, reader, scope)
    return await service.to_read(session, operation, scope)
