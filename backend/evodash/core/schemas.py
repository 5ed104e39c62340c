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
    """The body of every error answer. Some errors add fields of their own (an Evolution
    failure adds ``evolution_status`` and ``evolution_message``)."""

    error: str = Field(description="Machine-readable error code", examples=["not_found"])
    detail: str = Field(description="Human-readable explanation")


class ValidationErrorRead(ErrorRead):
    """The body of a 422: the request did not match the document."""

    error: str = Field(description="Always `validation_error`", examples=["validation_error"])
    errors: list[FieldError] = Field(description="One entry per problem, naming its field")


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


ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request (a body that is not JSON, a cursor that evodash did not issue…)",
    401: "Not authenticated",
    403: "Not allowed for this role, or CSRF token missing",
    404: "Not found",
    409: "Conflict",
    410: "Gone",
    413: "Body too large",
    422: "Invalid input: `errors` names each field",
    429: "Too many attempts",
    502: "The Evolution server failed, refused the call or answered garbage",
    503: "Busy: try again shortly (see Retry-After)",
    504: "The Evolution server did not answer in time",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses=`` entries for the listed error statuses."""
    return {
        code: {
            "model": ValidationErrorRead if code == 422 else ErrorRead,
            "description": ERROR_DESCRIPTIONS.get(code, "Error"),
        }
        for code in codes
    }
