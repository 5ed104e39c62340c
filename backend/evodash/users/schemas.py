from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, EmailStr, Field

from evodash.core.params import Flag
from evodash.core.schemas import Schema
from evodash.users.models import Role

USERNAME_PATTERN = r"^[A-Za-z0-9_.@+-]{3,150}$"


class UserRead(Schema):
    id: int
    username: str
    email: str | None
    role: Role
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime


class UserCreate(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN, examples=["maria"])
    email: EmailStr | None = None
    role: Role = Role.viewer
    password: str | None = Field(
        default=None,
        min_length=8,
        max_length=256,
        description="Leave empty to generate one; it is then returned once.",
    )


class UserUpdate(BaseModel):
    email: EmailStr | None = None
    role: Role | None = None
    is_active: Flag | None = None


class UserCreated(BaseModel):
    user: UserRead
    password: str | None = Field(
        default=None, description="The generated password, shown only this once"
    )


class PasswordReset(BaseModel):
    password: str | None = Field(
        default=None, min_length=8, max_length=256, description="Empty: generate one"
    )
    revoke_api_keys: Flag = Field(
        default=True,
        description="Revoke the user's API keys too (a reset usually means the account "
        "may be in someone else's hands); false keeps their integrations working",
    )


class PasswordResetResult(BaseModel):
    password: str | None = Field(default=None, description="The generated password, if any")


class AuditLogRead(Schema):
    id: int
    user_id: int | None
    username: str | None
    action: str
    object_type: str | None
    object_id: str | None
    detail: dict[str, Any] | None
    ip_address: str | None
    success: bool
    message: str | None
    created_at: datetime
