"""Lookups of templates that 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from evodash.core.deps import SessionDep
from evodash.core.openapi import raises
from evodash.core.params import Id
from evodash.templates import service
from evodash.templates.models import FleetTemplate


@raises(404)
async def get_template(template_id: Id, session: SessionDep) -> FleetTemplate:
    return await service.get(session, template_id)


TemplateDep = Annotated[FleetTemplate, Depends(get_template)]
