"""Dependencies of the messages API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from evodash.core.params import Id, Timestamp
from evodash.messages.models import Direction
from evodash.messages.schemas import MessageFilters, MessageType
from evodash.teams.deps import ScopeDep


async def message_filters(
    instance_id: Annotated[Id | None, Query(description="Only this instance")] = None,
    direction: Annotated[Direction | None, Query(description="in or out")] = None,
    type: Annotated[MessageType | None, Query(description="Message type")] = None,
    allowed: Annotated[
        bool | None, Query(description="true: allowed senders only; false: blocked only")
    ] = None,
    since: Annotated[Timestamp | None, Query(description="WhatsApp time ≥ this")] = None,
    until: Annotated[Timestamp | None, Query(description="WhatsApp time < this")] = None,
    sender: Annotated[
        str | None,
        Query(
            max_length=128,
            description="Sender phone (any format, JID too; with or without the "
            "Brazilian ninth digit)",
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Search: digits search phone numbers and JIDs, anything else the "
            "text, captions and sender names",
        ),
    ] = None,
    *,
    scope: ScopeDep,
) -> MessageFilters:
    return MessageFilters(
        instance_ids=scope.instance_ids,
        instance_id=instance_id,
        direction=direction,
        message_type=type,
        allowed=allowed,
        since=since,
        until=until,
        sender=sender,
        q=q,
    )


MessageFiltersDep = Annotated[MessageFilters, Depends(message_filters)]
