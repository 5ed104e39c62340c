"""Brazilian boletos: the 44-digit barcode and the 47/48-digit typeable line.

Two families share the 44-digit ITF barcode (FEBRABAN layouts):

* bank boletos ("bloqueto de cobrança", first digit not 8): bank(3) currency(1)
  general DV(1, mod 11) due-date factor(4) amount(10) free field(25);
* collection slips ("arrecadação": utilities, taxes; first digit 8): product "8",
  segment(1), value identifier(1: 6/7 → mod 10, 8/9 → mod 11), general DV(1),
  value(11), company(4, or 8 CNPJ digits for segment 6), free field.

The due-date factor counts days from 1997-10-07; factor 1000 was 2000-07-03 and, after
9999 (2025-02-21), it rolled over to 1000 again on 2025-02-22. A factor is therefore
ambiguous: :func:`due_date_from_factor` takes every era's date and returns the one
closest to a reference date (today by default), which is right for any boleto due
within about twelve years of when it is read. Factor 0 means "no due date".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from evodash.invoices.errors import InvalidBoleto

FACTOR_BASE = date(1997, 10, 7)
ERA_START = date(2000, 7, 3)  # factor 1000 of the first era; later eras add 9000 days
ERA_DAYS = 9000  # factors 1000..9999
_CENT = Decimal("0.01")
_MAX_BANK_AMOUNT = Decimal("99999999.99")

SEGMENTS = {
    "1": "Prefeituras",
    "2": "Saneamento",
    "3": "Energia elétrica e gás",
    "4": "Telecomunicações",
    "5": "Órgãos governamentais",
    "6": "Carnês e assemelhados (CNPJ)",
    "7": "Multas de trânsito",
    "9": "Uso exclusivo do banco",
}


class Boleto(BaseModel):
    """A decoded, check-digit-verified boleto."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["bank", "collection"]
    barcode: str
    typeable_line: str
    typeable_line_formatted: str
    check_digit: str
    amount: Decimal | None
    due_date: date | None
    due_date_factor: int | None
    bank_code: str | None
    currency_code: str | None
    segment: str | None
    value_id: str | None
    company_id: str | None
    free_field: str


def mod10(digits: str) -> int:
    """FEBRABAN modulo 10: weights 2,1,2,1… from the right, products' digits summed."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def _mod11_sum(digits: str) -> int:
    return sum(int(ch) * (2 + i % 8) for i, ch in enumerate(reversed(digits)))


def mod11_bank(digits: str) -> int:
    """General DV of bank boletos: weights 2..9 from the right; 0, 10 and 11 become 1."""
    dv = 11 - _mod11_sum(digits) % 11
    return 1 if dv in (0, 10, 11) else dv


def mod11_collection(digits: str) -> int:
    """Mod 11 of collection slips: remainder 0 or 1 gives 0, otherwise 11 - remainder."""
    rest = _mod11_sum(digits) % 11
    return 0 if rest in (0, 1) else 11 - rest


def _collection_dv(value_id: str) -> Callable[[str], int]:
    """Collection slips pick their check-digit module by the value identifier."""
    if value_id in ("6", "7"):
        return mod10
    if value_id in ("8", "9"):
        return mod11_collection
    raise InvalidBoleto(f"collection slip value identifier must be 6, 7, 8 or 9, not {value_id}")


def _digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value)


def due_date_from_factor(factor: int, reference: date | None = None) -> date | None:
    """The due date for a factor, choosing the era closest to ``reference`` (default today)."""
    if factor == 0:
        return None
    if factor < 1000:  # only ever issued before the first era began (1997-2000)
        return FACTOR_BASE + timedelta(days=factor)
    ref = reference or date.today()
    first = ERA_START + timedelta(days=factor - 1000)
    candidates = [first]
    while candidates[-1] < ref:
        candidates.append(candidates[-1] + timedelta(days=ERA_DAYS))
    return min(candidates, key=lambda d: abs((d - ref).days))


def factor_from_due_date(due: date | None) -> int:
    """The 4-digit factor for a due date (in whichever era the date falls), 0 for none."""
    if due is None:
        return 0
    if due < ERA_START:
        days = (due - FACTOR_BASE).days
        if days < 1:
            raise InvalidBoleto(f"due date {due.isoformat()} is before the factor base")
        return days
    return 1000 + (due - ERA_START).days % ERA_DAYS


def _amount(digits: str) -> Decimal | None:
    """Zero means "amount to be filled in by the payer", reported as no amount."""
    cents = int(digits)
    return (Decimal(cents) * _CENT).quantize(_CENT) if cents else None


def format_typeable_line(line: str) -> str:
    """Group a 47- or 48-digit line the way banks print it."""
    d = _digits(line)
    if len(d) == 47:
        return f"{d[:5]}.{d[5:10]} {d[10:15]}.{d[15:21]} {d[21:26]}.{d[26:32]} {d[32]} {d[33:]}"
    if len(d) == 48:
        return " ".join(f"{d[i : i + 11]}-{d[i + 11]}" for i in range(0, 48, 12))
    raise InvalidBoleto(f"a typeable line has 47 or 48 digits, not {len(d)}")


def typeable_line(barcode: str) -> str:
    """The 47-digit (bank) or 48-digit (collection) typeable line of a 44-digit barcode."""
    bc = _check_barcode_shape(barcode)
    if bc[0] == "8":
        mod = _collection_dv(bc[2])
        return "".join(bc[i : i + 11] + str(mod(bc[i : i + 11])) for i in range(0, 44, 11))
    fields = (bc[:4] + bc[19:24], bc[24:34], bc[34:44])
    return "".join(f + str(mod10(f)) for f in fields) + bc[4] + bc[5:19]


def barcode_from_typeable_line(line: str) -> str:
    """Reverse :func:`typeable_line`, verifying every field's check digit."""
    d = _digits(line)
    if not d.isdigit():
        raise InvalidBoleto("a typeable line may only contain digits, spaces, dots and dashes")
    if len(d) == 48:
        if d[0] != "8":
            raise InvalidBoleto("a 48-digit typeable line must start with 8 (collection slip)")
        mod = _collection_dv(d[2])
        blocks = [d[i : i + 11] for i in range(0, 48, 12)]
        for n, (block, i) in enumerate(zip(blocks, range(0, 48, 12), strict=True), start=1):
            if str(mod(block)) != d[i + 11]:
                raise InvalidBoleto(
                    f"typeable line block {n}: check digit {d[i + 11]}, expected {mod(block)}"
                )
        return "".join(blocks)
    if len(d) == 47:
        for n, (start, end) in enumerate(((0, 9), (10, 20), (21, 31)), start=1):
            expected = mod10(d[start:end])
            if str(expected) != d[end]:
                raise InvalidBoleto(
                    f"typeable line field {n}: check digit {d[end]}, expected {expected}"
                )
        return d[:4] + d[32] + d[33:47] + d[4:9] + d[10:20] + d[21:31]
    raise InvalidBoleto(f"a typeable line has 47 or 48 digits, not {len(d)}")


def _check_barcode_shape(barcode: str) -> str:
    bc = _digits(barcode)
    if len(bc) != 44 or not bc.isdigit():
        raise InvalidBoleto(f"a boleto barcode has 44 digits, got {len(bc)} characters")
    return bc


def parse_barcode(digits: str, *, reference: date | None = None) -> Boleto:
    """Parse a 44-digit barcode, verifying its general check digit."""
    bc = _check_barcode_shape(digits)
    if bc[0] == "8":
        return _parse_collection(bc)
    expected = mod11_bank(bc[:4] + bc[5:])
    if str(expected) != bc[4]:
        raise InvalidBoleto(f"boleto check digit is {bc[4]}, expected {expected}")
    factor = int(bc[5:9])
    line = typeable_line(bc)
    return Boleto(
        kind="bank",
        barcode=bc,
        typeable_line=line,
        typeable_line_formatted=format_typeable_line(line),
        check_digit=bc[4],
        amount=_amount(bc[9:19]),
        due_date=due_date_from_factor(factor, reference),
        due_date_factor=factor,
        bank_code=bc[:3],
        currency_code=bc[3],
        segment=None,
        value_id=None,
        company_id=None,
        free_field=bc[19:],
    )


def _parse_collection(bc: str) -> Boleto:
    mod = _collection_dv(bc[2])
    expected = mod(bc[:3] + bc[4:])
    if str(expected) != bc[3]:
        raise InvalidBoleto(f"collection slip check digit is {bc[3]}, expected {expected}")
    company_end = 23 if bc[1] == "6" else 19
    line = typeable_line(bc)
    return Boleto(
        kind="collection",
        barcode=bc,
        typeable_line=line,
        typeable_line_formatted=format_typeable_line(line),
        check_digit=bc[3],
        # 7 and 9 carry a reference quantity (e.g. an index), not an amount in reais.
        amount=_amount(bc[4:15]) if bc[2] in ("6", "8") else None,
        due_date=None,  # collection slips have no standard due-date field
        due_date_factor=None,
        bank_code=None,
        currency_code=None,
        segment=bc[1],
        value_id=bc[2],
        company_id=bc[15:company_end],
        free_field=bc[company_end:],
    )


def parse_typeable_line(line: str, *, reference: date | None = None) -> Boleto:
    """Parse a 47/48-digit typeable line (any spacing), verifying every check digit."""
    return parse_barcode(barcode_from_typeable_line(line), reference=reference)


def build_barcode(
    bank_code: str,
    amount: Decimal | None,
    due_date: date | None,
    free_field: str,
    *,
    currency: str = "9",
) -> str:
    """Build a valid 44-digit bank boleto barcode (for tests and the simulator)."""
    if not re.fullmatch(r"\d{3}", bank_code):
        raise InvalidBoleto("bank code must have 3 digits")
    if not re.fullmatch(r"\d{25}", free_field):
        raise InvalidBoleto("free field must have 25 digits")
    value = (amount or Decimal(0)).quantize(_CENT)
    if not Decimal(0) <= value <= _MAX_BANK_AMOUNT:
        raise InvalidBoleto(f"amount {amount} does not fit a boleto (0 to 99,999,999.99)")
    tail = f"{factor_from_due_date(due_date):04d}{int(value * 100):010d}{free_field}"
    head = bank_code + currency
    return head + str(mod11_bank(head + tail)) + tail


def build_collection_barcode(
    segment: str,
    amount: Decimal | None,
    company_id: str,
    free_field: str,
    *,
    value_id: str = "6",
) -> str:
    """Build a valid 44-digit collection ("arrecadação") barcode.

    ``company_id`` and ``free_field`` together fill the 29 digits after the value.
    """
    if not re.fullmatch(r"[1-9]", segment):
        raise InvalidBoleto("segment must be one digit 1-9")
    rest = company_id + free_field
    if not re.fullmatch(r"\d{29}", rest):
        raise InvalidBoleto("company id + free field must have 29 digits")
    value = int((amount or Decimal(0)).quantize(_CENT) * 100)
    if not 0 <= value <= 99_999_999_999:
        raise InvalidBoleto(f"amount {amount} does not fit 11 digits")
    mod = _collection_dv(value_id)
    body = f"8{segment}{value_id}{value:011d}{rest}"
    return body[:3] + str(mod(body)) + body[3:]
