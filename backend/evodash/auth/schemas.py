from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from evodash.auth.operations import Operation
from evodash.core.params import BodyId, Flag, Timestamp
from evodash.core.schemas import Schema
from evodash.users.schemas import UserRead

MAX_KEY_INSTANCES = 1000
MAX_KEY_TEAMS = 100


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)


class LoginResult(BaseModel):
    user: UserRead
    csrf_token: str = Field(description="Send it back as the X-CSRF-Token header")
    expires_at: datetime


class TokenResult(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=8, max_length=256)
    revoke_api_keys: Flag = Field(
        default=False, description="Revoke every API key of mine too (sessions always end)"
    )


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["erp integration"])
    expires_at: Timestamp | None = Field(
        default=None, description="When the key stops working (future); null: never"
    )
    can_create_keys: Flag = Field(
        default=False,
        description="Whether requests made with this key may create more API keys",
    )
    read_only: Flag = Field(default=False, description="Only reads: every write is 403")
    operations: list[Operation] = Field(
        default_factory=list,
        max_length=len(Operation),
        description="Only these operations (and reading instances, servers and figures); "
        "empty: every operation its user may do",
    )
    instance_ids: list[BodyId] = Field(
        default_factory=list,
        max_length=MAX_KEY_INSTANCES,
        description="Only these instances (with `team_ids`: these and the teams')",
    )
    team_ids: list[BodyId] = Field(
        default_factory=list,
        max_length=MAX_KEY_TEAMS,
        description="Only the instances of these teams",
    )


class ApiKeyRead(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    can_create_keys: bool
    read_only: bool
    operations: list[str]
    instance_ids: list[int]
    team_ids: list[int]


class ApiKeyCreated(BaseModel):
    api_key: ApiKeyRead
    key: str = Field(description="The key itself, shown only this once")


class SessionRead(Schema):
    id: str
    kind: Literal["session", "bearer"] = Field(
        description="session: a browser login; bearer: a token from /api/auth/token"
    )
    created_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None
    current: bool = Field(default=False, description="The session making this request")


class EndSessions(BaseModel):
    revoke_api_keys: Flag = Field(default=False, description="Revoke every API key of mine too")


class EndSessionsResult(BaseModel):
    ended: int = Field(description="Sessions, tokens (and API keys, if asked) revoked")


class WsTicket(BaseModel):
    ticket: str = Field(description="Send it once: `/api/ws?ticket=…` or the first message")
    expires_at: datetime
