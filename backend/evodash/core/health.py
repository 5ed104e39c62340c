from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from evodash import __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    version: str
    database: Literal["ok", "unreachable"] | None = None
    detail: str | None = None


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok", version=__version__)


@router.get(
    "/readyz",
    response_model=Health,
    summary="Readiness: the database answers",
    responses={503: {"model": Health, "description": "The database is unreachable"}},
)
async def readyz(request: Request) -> Health | JSONResponse:
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        body = Health(
            status="unavailable",
            version=__version__,
            database="unreachable",
            detail=type(exc).__name__,
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", version=__version__, database="ok")
