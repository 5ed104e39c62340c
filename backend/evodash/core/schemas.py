"""Schemas shared by every domain."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class FieldError(BaseModel):
    field: str
    message: str


class ErrorRead(BaseModel):
    """The body of every error answer."""

    error: str = Field(description="Machine-readable error code", examples=["not_found"])
    detail: str = Field(description="Human-readable explanation")
    errors: list[FieldError] | None = Field(
        default=None, description="Per-field problems (validation errors only)"
    )


class Page(BaseModel, Generic[T]):
    """Offset pagination, for small collections (users, servers, instances)."""

    items: list[T]
    total: int
    page: int
    page_size: int


class CursorPage(BaseModel, Generic[T]):
    """Keyset pagination for large, growing collections (messages, events)."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null at the end"
    )


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses=`` entries for the listed error statuses."""
    descriptions = {
        400: "Bad request",
        401: "Not authenticated",
        403: "Not allowed for this role, or CSRF token missing",
        404: "Not found",
        409: "Conflict",
        413: "Body too large",
        422: "Invalid input",
        429: "Too many attempts",
        502: "Evolution API answered with an error or garbage",
        503: "Busy: try again shortly (see Retry-After)",
        504: "Evolution API did not answer in time",
    }
    return {c: {"model": ErrorRead, "description": descriptions.get(c, "Error")} for c in codes}
