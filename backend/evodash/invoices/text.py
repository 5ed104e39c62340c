"""Pick an invoice's amount, due date, CNPJ, beneficiary and typeable line out of OCR text.

OCR text is noisy, so every rule here prefers evidence over guessing: amounts next to a
"total" keyword win over bare amounts (falling back to the largest ``R$`` amount), a due
date needs a due-date keyword nearby (or must be the only date on the page), a CNPJ
counts only when its check digits verify, and a typeable line only when all of its check
digits do. Keywords are matched without accents and case, because OCR often drops both.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from evodash.invoices.boleto import parse_typeable_line
from evodash.invoices.cnpj import format_cnpj, is_valid_cnpj
from evodash.invoices.errors import InvalidBoleto

# (pattern on accent-folded lower-case text, strength): stronger keywords win.
_AMOUNT_KEYWORDS = (
    (re.compile(r"total\s+a\s+pagar|valor\s+a\s+pagar|valor\s+do\s+documento"), 5),
    (re.compile(r"valor\s+cobrado|total\s+d[aoe]\s+(fatura|conta|nota|boleto)"), 5),
    (re.compile(r"amount\s+due|total\s+due"), 5),
    (re.compile(r"valor\s+total|total\s+geral|total\s+liquido"), 4),
    (re.compile(r"(?<!sub)(?<!sub-)\btotal\b"), 3),
    (re.compile(r"\bsub-?total\b"), 1),
)
# Lines about discounts, fees or taxes carry amounts that are never the total due.
_NOT_TOTAL = re.compile(r"desconto|abatimento|juros|multa|mora\b|acrescimo|tributo|imposto")
_DUE_KEYWORDS = re.compile(
    r"vencimento|\bvenc\b|\bvence\b|pagavel\s+ate|pagar\s+ate|data\s+limite|due\s+date"
)
_BENEFICIARY = re.compile(
    r"^\s*(beneficiario|cedente|favorecido|razao\s+social|emitente)\s*[:\-]?\s*(.*)$"
)
_AMOUNT_RE = re.compile(
    r"(?P<rs>R\s?[$S5]\s*)?(?<![\d.,])(?P<int>\d{1,3}(?:\.\d{3})+|\d+),(?P<cents>\d{2})(?![\d,])"
)
_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4}|\d{2})(?!\d)")
_CNPJ_FORMATTED = re.compile(
    r"(?<![0-9A-Z])([0-9A-Z]{2}\s?\.\s?[0-9A-Z]{3}\s?\.\s?[0-9A-Z]{3}\s?/\s?[0-9A-Z]{4}\s?-\s?\d{2})"
    r"(?![0-9A-Z])"
)
_CNPJ_BARE = re.compile(r"(?<!\d)(\d{14})(?!\d)")
_LINE_CANDIDATE = re.compile(r"\d[\d .\-]{44,80}\d")


class TextFields(BaseModel):
    """What the text says; ``*_label`` is the keyword that chose the value (None: fallback)."""

    model_config = ConfigDict(frozen=True)

    amount: Decimal | None = None
    amount_label: str | None = None
    due_date: date | None = None
    due_date_label: str | None = None
    cnpj: str | None = None
    cnpjs: list[str] = []
    beneficiary: str | None = None
    typeable_lines: list[str] = []


def fold(text: str) -> str:
    """Lower-case without accents, so ``Emissão`` matches ``emissao``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def parse_brl(integer: str, cents: str) -> Decimal:
    """``("1.234", "56")`` → ``Decimal("1234.56")``."""
    return Decimal(f"{integer.replace('.', '')}.{cents}")


def format_brl(amount: Decimal) -> str:
    """``Decimal("1234.56")`` → ``R$ 1.234,56``."""
    whole, cents = f"{amount.quantize(Decimal('0.01')):,.2f}".split(".")
    return f"R$ {whole.replace(',', '.')},{cents}"


def _amount_strength(label_lines: list[str]) -> tuple[int, str | None]:
    best: tuple[int, str | None] = (0, None)
    for line in label_lines:
        if _NOT_TOTAL.search(line):
            continue
        for pattern, strength in _AMOUNT_KEYWORDS:
            match = pattern.search(line)
            if match and strength > best[0]:
                best = (strength, match.group(0))
    return best


def find_amount(lines: list[str]) -> tuple[Decimal | None, str | None]:
    """The amount due: strongest keyword on its line (before it) or the line above."""
    best: tuple[int, Decimal, str | None] | None = None
    largest_rs: Decimal | None = None
    for i, line in enumerate(lines):
        for match in _AMOUNT_RE.finditer(line):
            value = parse_brl(match["int"], match["cents"])
            if match["rs"] and (largest_rs is None or value > largest_rs):
                largest_rs = value
            before = fold(line[: match.start()])
            above = [fold(lines[i - 1])] if i and not _AMOUNT_RE.search(lines[i - 1]) else []
            strength, label = _amount_strength([before, *above])
            if strength and (best is None or (strength, value) > best[:2]):
                best = (strength, value, label)
    if best:
        return best[1], best[2]
    return largest_rs, None


def _parse_date(day: str, month: str, year: str) -> date | None:
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    if not 2000 <= full_year <= 2100:
        return None
    try:
        return date(full_year, int(month), int(day))
    except ValueError:
        return None


def find_due_date(lines: list[str]) -> tuple[date | None, str | None]:
    """A date on (or right under) a due-date keyword; else the page's only date."""
    seen: set[date] = set()
    for i, line in enumerate(lines):
        for match in _DATE_RE.finditer(line):
            parsed = _parse_date(*match.groups())
            if parsed is None:
                continue
            seen.add(parsed)
            for label_text in (fold(line[: match.start()]), fold(lines[i - 1]) if i else ""):
                keyword = _DUE_KEYWORDS.search(label_text)
                if keyword:
                    return parsed, keyword.group(0)
    return (next(iter(seen)), None) if len(seen) == 1 else (None, None)


def find_cnpjs(text: str) -> list[str]:
    """Every CNPJ whose check digits verify, formatted, in order of appearance."""
    found: list[str] = []
    upper = text.upper()
    matches = [m.group(1) for m in _CNPJ_FORMATTED.finditer(upper)]
    matches += [m.group(1) for m in _CNPJ_BARE.finditer(upper)]
    for raw in matches:
        if is_valid_cnpj(raw):
            formatted = format_cnpj(raw)
            if formatted not in found:
                found.append(formatted)
    return found


def find_beneficiary(lines: list[str]) -> str | None:
    """The name after "Beneficiário:"/"Cedente:" (or on the next line), CNPJ removed."""
    for i, line in enumerate(lines):
        match = _BENEFICIARY.match(fold(line))
        if not match:
            continue
        start = len(line) - len(match.group(2))
        name = line[start:].strip() or (lines[i + 1].strip() if i + 1 < len(lines) else "")
        name = re.split(r"\s*[-\u2013|]?\s*CNPJ\b|\s{3,}", name, maxsplit=1, flags=re.I)[0]
        name = name.strip(" :-\u2013|")
        if len(name) >= 3:
            return name[:80]
    return None


def find_typeable_lines(text: str) -> list[str]:
    """47/48-digit typeable lines (any spacing) whose check digits all verify."""
    found: list[str] = []
    for candidate in _LINE_CANDIDATE.findall(text):
        digits = re.sub(r"\D", "", candidate)
        for size in (48, 47):
            for start in range(len(digits) - size + 1):
                window = digits[start : start + size]
                try:
                    parse_typeable_line(window)
                except InvalidBoleto:
                    continue
                if window not in found:
                    found.append(window)
    return found


def extract_fields(text: str) -> TextFields:
    """Everything :mod:`text` can pick out of one OCR'd page."""
    lines = [line for line in text.splitlines() if line.strip()]
    amount, amount_label = find_amount(lines)
    due, due_label = find_due_date(lines)
    cnpjs = find_cnpjs(text)
    return TextFields(
        amount=amount,
        amount_label=amount_label,
        due_date=due,
        due_date_label=due_label,
        cnpj=cnpjs[0] if cnpjs else None,
        cnpjs=cnpjs,
        beneficiary=find_beneficiary(lines),
        typeable_lines=find_typeable_lines(text),
    )
