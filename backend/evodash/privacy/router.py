from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from evodash.auth.deps import AdminUser
from evodash.core.deps import ClientIP, SessionDep, SettingsDep
from evodash.core.schemas import error_responses
from evodash.privacy import service
from evodash.privacy.service import ErasureReport

router = APIRouter(prefix="/privacy", tags=["privacy"])


class SubjectRequest(BaseModel):
    phone: str = Field(
        min_length=3, max_length=64, description="The person's number, in any format"
    )


class ErasureRequest(SubjectRequest):
    confirm: Literal[True] = Field(description="Must be true: erasing cannot be undone")


@router.post(
    "/export",
    summary="Export everything held about a phone number (ZIP)",
    description="Messages it sent or received, the images processed from them, the "
    "invoices read (the ledger's rows, with their paid / ignored marks) and the image "
    "files. Recorded in the audit log.",
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "A ZIP file",
        },
        **error_responses(401, 403, 422),
    },
)
async def export_subject(
    body: SubjectRequest, actor: AdminUser, session: SessionDep, settings: SettingsDep, ip: ClientIP
) -> Response:
    name, data = await service.export_subject(session, settings, body.phone, actor=actor, ip=ip)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/erase",
    response_model=ErasureReport,
    summary="Erase everything held about a phone number",
    description="Deletes its messages, the image jobs, invoices and files read from them, "
    "its daily sender counts and the webhook events naming it. Reports keep their "
    "anonymous daily totals. Recorded in the audit log (last four digits only).",
    responses=error_responses(401, 403, 422),
)
async def erase_subject(
    body: ErasureRequest, actor: AdminUser, session: SessionDep, settings: SettingsDep, ip: ClientIP
) -> ErasureReport:
    return await service.erase_subject(session, settings, body.phone, actor=actor, ip=ip)
