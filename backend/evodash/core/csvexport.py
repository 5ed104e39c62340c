"""CSV downloads that open right in a spreadsheet.

UTF-8 with a byte-order mark (Excel in pt-BR reads accents right only with it); ``,`` or
``;`` as the separator (``;`` is what Excel in pt-BR expects, and then numbers are written
with a decimal comma so it reads them as numbers); text cells that a spreadsheet would
read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
are prefixed with ``'`` (OWASP's advice on CSV injection). Numbers are never touched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | Decimal | date | datetime | bool | None


class Separator(StrEnum):
    comma = ","
    semicolon = ";"


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"


FormatParam = Annotated[
    OutputFormat, Query(alias="format", description="`csv` for a spreadsheet download")
]
SeparatorParam = Annotated[
    Separator,
    Query(
        description="CSV separator. `;` is what Excel in pt-BR expects; numbers then use a "
        "decimal comma"
    ),
]

#: The OpenAPI ``responses`` entry of an operation that can answer CSV.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "JSON, or CSV (UTF-8 with BOM) with `format=csv`",
    }
}


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Cell, separator: Separator) -> str:
    kind = type(value)  # the common cells first: a report is tens of thousands of them
    if kind is int:
        return str(value)
    if kind is str:
        return neutralise(value)  # type: ignore[arg-type]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        text = str(value)
        return text.replace(".", ",") if separator is Separator.semicolon else text
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def render(header: Sequence[str], rows: Iterable[Sequence[Cell]], separator: Separator) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=separator.value, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([cell(v, separator) for v in row])
    return out.getvalue()


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    separator: Separator = Separator.comma,
) -> Response:
    return Response(
        render(header, rows, separator).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
