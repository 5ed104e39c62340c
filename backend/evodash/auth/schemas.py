from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from evodash.core.params import Timestamp
from evodash.core.schemas import Schema
from evodash.users.schemas import UserRead


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


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["erp integration"])
    expires_at: Timestamp | None = None


class ApiKeyRead(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(BaseModel):
    api_key: ApiKeyRead
    key: str = Field(description="The key itself, shown only this once")
