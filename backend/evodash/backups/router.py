from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from evodash.auth.deps import AdminUser
from evodash.backups import files, service
from evodash.backups.schemas import (
    BackupImportRequest,
    BackupStatus,
    ExportRequest,
    ImportReport,
)
from evodash.core.db import utcnow
from evodash.core.deps import ClientIP, SessionDep, SettingsDep
from evodash.core.schemas import error_responses
from evodash.users import audit

router = APIRouter(prefix="/backups", tags=["backups"])


@router.post(
    "/export",
    summary="Download a backup of the configuration",
    description="Servers, instances with their settings, allow-lists and relay destinations, "
    "users and roles (password hashes, never passwords) and API keys' metadata, as one "
    "JSON file. Evolution keys, instance tokens and webhook secrets are sealed with the "
    "passphrase (not with SECRET_KEY), so the file restores on another server.",
    responses={
        200: {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Backup"}}},
            "description": "The backup file",
        },
        **error_responses(401, 403, 409, 422),
    },
)
async def export_backup(
    body: ExportRequest, actor: AdminUser, session: SessionDep, settings: SettingsDep, ip: ClientIP
) -> Response:
    backup = await service.export_backup(session, settings, body.passphrase)
    audit.record(
        session,
        actor,
        "backup.exported",
        detail={"servers": len(backup.servers), "instances": len(backup.instances)},
        ip=ip,
    )
    return Response(
        files.to_json(backup),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{files.PREFIX}'
            f'{utcnow():%Y%m%d-%H%M%S}.json"'
        },
    )


@router.post(
    "/import",
    response_model=ImportReport,
    summary="Restore a backup (idempotent)",
    description="Creates what is missing and updates what differs, matching servers by "
    "URL, instances by server and name, users by username and API keys by hash; deletes "
    "nothing. `dry_run` reports the same counts and changes nothing. A wrong passphrase "
    "is a 422 and changes nothing.",
    responses=error_responses(401, 403, 413, 422),
)
async def import_backup(
    body: BackupImportRequest,
    actor: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> ImportReport:
    report = await service.import_backup(
        session, settings, body.backup, body.passphrase, dry_run=body.dry_run
    )
    if not body.dry_run:
        audit.record(
            session, actor, "backup.imported", detail=report.model_dump(exclude={"dry_run"}), ip=ip
        )
    return report


@router.get(
    "/status",
    response_model=BackupStatus,
    summary="Automatic backups: the last one's time and size",
    responses=error_responses(401, 403),
)
async def backup_status(_: AdminUser, settings: SettingsDep) -> BackupStatus:
    return files.status(settings)
