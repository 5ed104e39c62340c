from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from evodash.core.params import MAX_INT32
from evodash.core.schemas import Schema

TeamName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
RowId = Annotated[int, Field(ge=1, le=MAX_INT32)]

#: A team holds at most this many of each (an agency's customer has a few numbers; a
#: thousand is generous and keeps every scope query small).
MAX_USERS = 500
MAX_SERVERS = 200
MAX_INSTANCES = 2000


class TeamWrite(Schema):
    name: TeamName
    description: Description = ""
    user_ids: list[RowId] = Field(default_factory=list, max_length=MAX_USERS)
    server_ids: list[RowId] = Field(default_factory=list, max_length=MAX_SERVERS)
    instance_ids: list[RowId] = Field(default_factory=list, max_length=MAX_INSTANCES)


class TeamUpdate(Schema):
    """Fields left out stay as they are; a list given replaces the team's."""

    name: TeamName | None = None
    description: Description | None = None
    user_ids: list[RowId] | None = Field(default=None, max_length=MAX_USERS)
    server_ids: list[RowId] | None = Field(default=None, max_length=MAX_SERVERS)
    instance_ids: list[RowId] | None = Field(default=None, max_length=MAX_INSTANCES)


class TeamRead(Schema):
    id: int
    name: str
    description: str
    created_at: datetime
    user_ids: list[int]
    server_ids: list[int]
    instance_ids: list[int]
