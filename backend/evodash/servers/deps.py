"""Dependencies of the servers domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from evodash.core.deps import SessionDep
from evodash.core.openapi import raises
from evodash.core.params import Id
from evodash.servers import service
from evodash.servers.models import EvolutionServer


@raises(404)
async def get_server(server_id: Id, session: SessionDep) -> EvolutionServer:
    return await service.get_server(session, server_id)


ServerDep = Annotated[EvolutionServer, Depends(get_server)]
