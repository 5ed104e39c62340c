"""Bounded types for every integer, date and cursor the API accepts.

A number too big for its column, or a date that overflows once converted to UTC, used to
reach the database or ``datetime`` arithmetic and answer 500. These types refuse them with
422 at the door, and the OpenAPI document states the same bounds. Use them for path and
query parameters (``Annotated[Id, Path()]`` or as a bare annotation) and in bodies alike.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, Strict

MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1
MIN_YEAR = 2000
MAX_YEAR = 2099
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 200

#: The id of a row whose key is a 32-bit integer on PostgreSQL: servers, instances, users,
#: API keys, jobs. Larger numbers cannot name a row: 422, never a database overflow.
Id = Annotated[int, Ge(1), Le(MAX_INT32)]
#: The id of a row of a big table (64-bit key): messages, connection and webhook events,
#: deliveries, audit entries.
BigId = Annotated[int, Ge(1), Le(MAX_INT64)]
PageNumber = Annotated[int, Ge(1), Le(MAX_PAGE)]
PageSize = Annotated[int, Ge(1), Le(MAX_PAGE_SIZE)]


def _text_only(value: object) -> object:
    # In a JSON body pydantic would read a number as Unix time: the document says string.
    if isinstance(value, (int, float)):
        raise ValueError("must be an ISO 8601 date and time, such as 2026-01-31T12:00:00Z")
    return value


def _in_range(value: datetime) -> datetime:
    # The year as written: then converting to UTC cannot overflow (9999-12-31T23:59-14:00).
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


#: An ISO 8601 date and time with its UTC offset, in the years 2000 to 2099.
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_text_only),
    AfterValidator(_in_range),
    Field(
        json_schema_extra={"pattern": r"^20[0-9]{2}-"},
        examples=["2026-01-31T12:00:00Z"],
    ),
]

CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
#: An opaque keyset cursor, as found in ``next_cursor``.
Cursor = Annotated[str, Field(min_length=1, max_length=500, pattern=CURSOR_PATTERN)]

#: Request bodies are JSON: a boolean is ``true`` or ``false``, never ``0`` or ``"yes"``
#: (pydantic's lax mode would take those, which the document does not allow).
Flag = Annotated[bool, Strict()]


def _integral(value: object) -> object:
    # JSON Schema's "integer" is any number without a fractional part: 5.0 is the integer
    # 5 (what the document promises); strict validation then refuses "5", true and 5.5.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


#: An integer in a JSON body as the document states it: ``5`` or ``5.0``, never ``"5"``,
#: ``true`` or ``5.5`` (pydantic's lax mode would take the first two). Last in the
#: ``Annotated``, after ``Strict()`` and the bounds, so that the document keeps them as
#: ``minimum``/``maximum``: ``Annotated[int, Strict(), Field(ge=1), JsonInteger]``.
JsonInteger = BeforeValidator(_integral)
#: An id in a JSON body.
BodyId = Annotated[int, Strict(), Ge(1), Le(MAX_INT32), JsonInteger]
#: A name that must contain something besides white space. The character class is the
#: same for Python (``str.strip``) and the document's regular expression.
NOT_BLANK_PATTERN = r"[^\s\x1c-\x1f]"


_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _day_text_only(value: object) -> object:
    # pydantic's lax mode would read "0" or 1700000000 as a Unix time.
    if not isinstance(value, (str, date)) or (isinstance(value, str) and not _ISO_DAY.match(value)):
        raise ValueError("must be a date, YYYY-MM-DD")
    return value


def _day_in_range(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


#: A calendar day, ``YYYY-MM-DD``, in the years 2000 to 2099.
Day = Annotated[
    date,
    BeforeValidator(_day_text_only),
    AfterValidator(_day_in_range),
    Field(
        json_schema_extra={"pattern": r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"}, examples=["2026-01-31"]
    ),
]
