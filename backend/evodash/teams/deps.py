"""The request's scope, resolved once per request."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends

from evodash.auth.deps import CurrentAuth
from evodash.core.deps import SessionDep
from evodash.teams.scope import Scope, scope_for


async def get_scope(auth: CurrentAuth, session: SessionDep) -> Scope:
    scope = await scope_for(session, auth.user, auth.api_key)
    if not scope.unlimited:
        # Audit entries of the request record the scope it acted in (users.audit).
        structlog.contextvars.bind_contextvars(scope_teams=list(scope.team_ids))
    return scope


ScopeDep = Annotated[Scope, Depends(get_scope)]
