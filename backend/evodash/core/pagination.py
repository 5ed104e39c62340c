"""Pagination helpers: offset pages for small tables, opaque keyset cursors for big ones."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from evodash.core.errors import BadRequest


class PageParams(BaseModel):
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def page_params(
    page: Annotated[int, Query(ge=1, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=200, description="Items per page")] = 25,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise BadRequest("The cursor is not valid; start again without one.") from exc
    if not isinstance(values, list):
        raise BadRequest("The cursor is not valid; start again without one.")
    return values
