"""CNPJ (and CPF) check-digit validation and formatting.

Both check digits are verified, and all-same-digit values (``00000000000000``,
``11111111111111`` ...) are refused even though their digits happen to verify.
CNPJs may be alphanumeric from July 2026 (IN RFB 2.229/2024): the first twelve
characters may be ``0-9A-Z``, each worth ``ord(c) - 48``, and the check digits stay
numeric. For digits that is the usual value, so one routine covers both forms.
"""

from __future__ import annotations

import re

from evodash.invoices.errors import InvalidCnpj

_CNPJ_RE = re.compile(r"^[0-9A-Z]{12}\d{2}$")
_W1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_W2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def _strip(value: str) -> str:
    """Drop the usual punctuation (``.``, ``/``, ``-``, spaces) and upper-case."""
    return re.sub(r"[\s./-]", "", value).upper()


def _dv(chars: str, weights: tuple[int, ...]) -> int:
    total = sum((ord(c) - 48) * w for c, w in zip(chars, weights, strict=True))
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def cnpj_check_digits(base12: str) -> str:
    """The two check digits for the first twelve characters of a CNPJ."""
    base12 = _strip(base12)
    if not re.fullmatch(r"[0-9A-Z]{12}", base12):
        raise InvalidCnpj("a CNPJ base must have 12 digits or letters")
    first = _dv(base12, _W1)
    second = _dv(base12 + str(first), _W2)
    return f"{first}{second}"


def is_valid_cnpj(value: str) -> bool:
    """True when ``value`` (formatted or not) is a CNPJ whose check digits verify."""
    cnpj = _strip(value)
    if not _CNPJ_RE.match(cnpj) or len(set(cnpj)) == 1:
        return False
    return cnpj[12:] == cnpj_check_digits(cnpj[:12])


def normalize_cnpj(value: str) -> str:
    """Return the 14 bare characters of a valid CNPJ or raise :class:`InvalidCnpj`."""
    cnpj = _strip(value)
    if not is_valid_cnpj(cnpj):
        raise InvalidCnpj(f"{value!r} is not a valid CNPJ (check digits do not verify)")
    return cnpj


def format_cnpj(value: str) -> str:
    """``12345678000195`` → ``12.345.678/0001-95`` (validating first)."""
    c = normalize_cnpj(value)
    return f"{c[:2]}.{c[2:5]}.{c[5:8]}/{c[8:12]}-{c[12:]}"


def is_valid_cpf(value: str) -> bool:
    """True when ``value`` is an 11-digit CPF whose two check digits verify."""
    cpf = re.sub(r"\D", "", value)
    if len(cpf) != 11 or len(set(cpf)) == 1:
        return False
    for size in (9, 10):
        total = sum(int(d) * w for d, w in zip(cpf[:size], range(size + 1, 1, -1), strict=True))
        if int(cpf[size]) != (total * 10 % 11) % 10:
            return False
    return True
