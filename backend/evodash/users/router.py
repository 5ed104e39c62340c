from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response

from evodash.auth.deps import AdminUser, PasswordsDep
from evodash.core.csvexport import (
    CSV_RESPONSE,
    FormatParam,
    OutputFormat,
    Separator,
    SeparatorParam,
)
from evodash.core.deps import ClientIP, SessionDep
from evodash.core.pagination import PageParams, page_params
from evodash.core.params import Id, Timestamp
from evodash.core.schemas import Page, error_responses
from evodash.users import service
from evodash.users.audit import audit_csv
from evodash.users.repository import AuditRepository
from evodash.users.schemas import (
    AuditLogRead,
    PasswordReset,
    PasswordResetResult,
    UserCreate,
    UserCreated,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/users", tags=["users"])
audit_router = APIRouter(prefix="/audit", tags=["audit"])

Paging = Annotated[PageParams, Depends(page_params)]


@router.get(
    "", response_model=Page[UserRead], summary="List users", responses=error_responses(401, 403)
)
async def list_users(
    _: AdminUser,
    session: SessionDep,
    paging: Paging,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[UserRead]:
    rows, total = await service.list_users(
        session, offset=paging.offset, limit=paging.page_size, search=search
    )
    return Page(
        items=[UserRead.model_validate(u) for u in rows],
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )


@router.post(
    "",
    response_model=UserCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user",
    responses=error_responses(401, 403, 409, 422),
)
async def create_user(
    body: UserCreate,
    actor: AdminUser,
    session: SessionDep,
    passwords: PasswordsDep,
    ip: ClientIP,
) -> UserCreated:
    user, password = await service.create_user(session, body, passwords, actor=actor, ip=ip)
    return UserCreated(user=UserRead.model_validate(user), password=password)


@router.get(
    "/{user_id}",
    response_model=UserRead,
    summary="Get a user",
    responses=error_responses(401, 403, 404),
)
async def get_user(user_id: Id, _: AdminUser, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await service.get_user(session, user_id))


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    summary="Update a user (role, email, active)",
    description="Deactivating or demoting signs the user out everywhere (their API keys "
    "stop working while inactive). The last active admin cannot be demoted or "
    "deactivated, even by two admins demoting each other at the same time.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def update_user(
    user_id: Id, body: UserUpdate, actor: AdminUser, session: SessionDep, ip: ClientIP
) -> UserRead:
    return UserRead.model_validate(
        await service.update_user(session, user_id, body, actor=actor, ip=ip)
    )


@router.post(
    "/{user_id}/reset-password",
    response_model=PasswordResetResult,
    summary="Reset a user's password",
    description="Sets the given password, or generates one and returns it once. "
    "Every session and Bearer token of the user ends; so do their API keys unless "
    "`revoke_api_keys` is false.",
    responses=error_responses(401, 403, 404, 422),
)
async def reset_password(
    user_id: Id,
    body: PasswordReset,
    actor: AdminUser,
    session: SessionDep,
    passwords: PasswordsDep,
    ip: ClientIP,
) -> PasswordResetResult:
    password = await service.reset_password(
        session,
        user_id,
        body.password,
        passwords,
        revoke_api_keys=body.revoke_api_keys,
        actor=actor,
        ip=ip,
    )
    return PasswordResetResult(password=password)


AUDIT_CSV_MAX_ROWS = 100_000


@audit_router.get(
    "",
    response_model=Page[AuditLogRead],
    summary="Read the audit log",
    description="Newest first. `format=csv` downloads the entries matching the filters "
    f"(the newest {AUDIT_CSV_MAX_ROWS:,}, ignoring the page) as CSV (UTF-8 with BOM; "
    "`sep=;` for Excel in pt-BR).",
    responses={**CSV_RESPONSE, **error_responses(401, 403, 422)},
)
async def list_audit(
    _: AdminUser,
    session: SessionDep,
    paging: Paging,
    action: Annotated[str | None, Query(max_length=64)] = None,
    user_id: Annotated[Id | None, Query(description="Only this user's actions")] = None,
    since: Annotated[Timestamp | None, Query(description="At or after")] = None,
    format: FormatParam = OutputFormat.json,
    sep: SeparatorParam = Separator.comma,
) -> Page[AuditLogRead] | Response:
    if format is OutputFormat.csv:
        entries = await AuditRepository(session).newest(
            limit=AUDIT_CSV_MAX_ROWS, action=action, user_id=user_id, since=since
        )
        return audit_csv(entries, sep)
    rows, total = await AuditRepository(session).page(
        offset=paging.offset, limit=paging.page_size, action=action, user_id=user_id, since=since
    )
    return Page(
        items=[AuditLogRead.model_validate(r) for r in rows],
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )
