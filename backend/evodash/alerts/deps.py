"""Dependencies of the alerts API: the alert or channel from the path, the list filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from evodash.alerts import service
from evodash.alerts.models import Alert, AlertChannel, AlertState, RuleKind
from evodash.alerts.repository import AlertFilter
from evodash.core.deps import SessionDep
from evodash.core.openapi import raises
from evodash.core.params import BigId, Id, Timestamp
from evodash.teams.deps import ScopeDep


@raises(404)
async def get_alert(
    session: SessionDep,
    scope: ScopeDep,
    alert_id: Annotated[BigId, Path(description="Alert id")],
) -> Alert:
    return await service.get_alert(session, alert_id, scope)


@raises(404)
async def get_channel(
    session: SessionDep, channel_id: Annotated[Id, Path(description="Channel id")]
) -> AlertChannel:
    return await service.get_channel(session, channel_id)


async def alert_filter(
    rule: Annotated[RuleKind | None, Query(description="Only this rule")] = None,
    subject: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=r"^(instance|server|jobs|backups):[A-Za-z0-9_-]{1,40}$",
            description="Only this subject: `instance:12`, `server:3`, `jobs:invoice`, "
            "`backups:scheduled`",
        ),
    ] = None,
    state: Annotated[
        AlertState | None, Query(description="Only this state (default: firing and resolved)")
    ] = None,
    since: Annotated[Timestamp | None, Query(description="Started at or after")] = None,
    until: Annotated[Timestamp | None, Query(description="Started before")] = None,
    unacknowledged: Annotated[
        bool, Query(description="Only the alerts nobody acknowledged")
    ] = False,
    *,
    scope: ScopeDep,
) -> AlertFilter:
    return AlertFilter(
        rule=rule.value if rule else None,
        subject=subject,
        state=state.value if state else None,
        since=since,
        until=until,
        unacknowledged=unacknowledged,
        instance_ids=scope.instance_ids,
        server_ids=scope.server_ids,
    )


AlertDep = Annotated[Alert, Depends(get_alert)]
ChannelDep = Annotated[AlertChannel, Depends(get_channel)]
AlertFilterDep = Annotated[AlertFilter, Depends(alert_filter)]
