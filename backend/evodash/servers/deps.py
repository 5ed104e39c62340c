"""Dependencies of the servers domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from evodash.core.deps import SessionDep
from evodash.core.openapi import raises
from evodash.core.params import Id
from evodash.servers import service
from evodash.servers.errors import ServerNotFound
from evodash.servers.models import EvolutionServer
from evodash.teams.deps import ScopeDep


@raises(404)
async def get_server(server_id: Id, session: SessionDep, scope: ScopeDep) -> EvolutionServer:
    if not scope.sees_server(server_id):
        raise ServerNotFound()
    return await service.get_server(session, server_id)


ServerDep = Annotated[EvolutionServer, Depends(get_server)]
