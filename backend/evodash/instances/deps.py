"""Dependencies of the instances domain: validating lookups that 404 (or 409)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from evodash.core.deps import SessionDep
from evodash.core.openapi import raises
from evodash.core.params import Id
from evodash.instances import service
from evodash.instances.errors import InstanceNotFound
from evodash.instances.models import EvolutionInstance
from evodash.teams.deps import ScopeDep


@raises(404, 409)
async def get_instance(instance_id: Id, session: SessionDep, scope: ScopeDep) -> EvolutionInstance:
    """A live instance: 404 if unknown or outside the caller's scope, 409 if it was deleted
    (only history is left)."""
    if not scope.sees_instance(instance_id):
        raise InstanceNotFound()
    return await service.get_instance(session, instance_id)


@raises(404)
async def get_any_instance(
    instance_id: Id, session: SessionDep, scope: ScopeDep
) -> EvolutionInstance:
    """An instance, deleted ones included (reading history)."""
    if not scope.sees_instance(instance_id):
        raise InstanceNotFound()
    return await service.get_instance(session, instance_id, allow_deleted=True)


InstanceDep = Annotated[EvolutionInstance, Depends(get_instance)]
AnyInstanceDep = Annotated[EvolutionInstance, Depends(get_any_instance)]
