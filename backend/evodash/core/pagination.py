"""Pagination helpers: offset pages for small tables, opaque keyset cursors for big ones."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from evodash.core.errors import BadRequest
from evodash.core.params import MAX_INT64, PageNumber, PageSize

_BAD_CURSOR = "The cursor is not valid; start again without one."


class PageParams(BaseModel):
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def page_params(
    page: Annotated[PageNumber, Query(description="1-based page number")] = 1,
    page_size: Annotated[PageSize, Query(description="Items per page")] = 25,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error, RecursionError) as exc:
        raise BadRequest(_BAD_CURSOR) from exc
    if not isinstance(values, list):
        raise BadRequest(_BAD_CURSOR)
    return values


def _bounded_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INT64:
        raise BadRequest(_BAD_CURSOR)
    return value


def decode_time_id_cursor(cursor: str) -> tuple[datetime, int]:
    """A ``[iso time, id]`` cursor, checked: a forged one is a 400, never a 500."""
    values = decode_cursor(cursor)
    if len(values) != 2 or not isinstance(values[0], str) or len(values[0]) > 40:
        raise BadRequest(_BAD_CURSOR)
    try:
        when = datetime.fromisoformat(values[0])
    except ValueError as exc:
        raise BadRequest(_BAD_CURSOR) from exc
    # Rows' times are real ones: far from the ends where a UTC conversion overflows.
    if not 1900 <= when.year <= 2200:
        raise BadRequest(_BAD_CURSOR)
    return when, _bounded_id(values[1])


def decode_id_cursor(cursor: str) -> int:
    """An ``[id]`` cursor, checked."""
    values = decode_cursor(cursor)
    if len(values) != 1:
        raise BadRequest(_BAD_CURSOR)
    return _bounded_id(values[0])
