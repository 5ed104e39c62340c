"""Boleto tests. Check digits are recomputed here by an independent, literal reading of
the FEBRABAN rules, and published examples pin the implementation to the real world."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from evodash.invoices.boleto import (
    barcode_from_typeable_line,
    build_barcode,
    build_collection_barcode,
    due_date_from_factor,
    factor_from_due_date,
    format_typeable_line,
    parse_barcode,
    parse_typeable_line,
    typeable_line,
)
from evodash.invoices.errors import InvalidBoleto

BASE = date(1997, 10, 7)


def ref_mod10(digits: str) -> int:
    """Multiply by 2,1,2,1... from the right, add the *digits* of the products."""
    weights = [2 if i % 2 == 0 else 1 for i in range(len(digits))][::-1]
    total = sum(sum(int(x) for x in str(int(d) * w)) for d, w in zip(digits, weights, strict=True))
    return 0 if total % 10 == 0 else 10 - total % 10


def ref_mod11(digits: str, *, bank: bool) -> int:
    weights = [(i % 8) + 2 for i in range(len(digits))][::-1]
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if bank:
        return 1 if 11 - rest in (0, 10, 11) else 11 - rest
    return 0 if rest in (0, 1) else 11 - rest


# Banco do Brasil's documentation example (factor 3737 → 2007-12-31, R$ 1,00).
BB_LINE = "00190.50095 40144.816069 06809.350314 3 37370000000100"
BB_BARCODE = "00193373700000001000500940144816060680935031"
# Published collection-slip examples (segments 3 and 4, mod 10).
COLLECTION_LINES = {
    "836200000005667800481000180975657313001589636081": Decimal("66.78"),
    "846700000017435900240209024050002435842210108119": Decimal("143.59"),
}


class TestBankBoleto:
    def test_published_example_line_to_barcode(self) -> None:
        assert barcode_from_typeable_line(BB_LINE) == BB_BARCODE
        boleto = parse_typeable_line(BB_LINE, reference=date(2008, 1, 1))
        assert boleto.amount == Decimal("1.00")
        assert boleto.due_date == date(2007, 12, 31) == BASE + timedelta(days=3737)
        assert boleto.bank_code == "001"
        assert boleto.typeable_line_formatted == BB_LINE

    def test_barcode_to_typeable_line_with_independent_check_digits(self) -> None:
        bc = build_barcode("341", Decimal("987.65"), date(2026, 3, 15), "1234567890123456789012345")
        f1, f2, f3 = bc[0:4] + bc[19:24], bc[24:34], bc[34:44]
        expected = f"{f1}{ref_mod10(f1)}{f2}{ref_mod10(f2)}{f3}{ref_mod10(f3)}{bc[4]}{bc[5:19]}"
        assert typeable_line(bc) == expected
        assert len(expected) == 47
        assert int(bc[4]) == ref_mod11(bc[:4] + bc[5:], bank=True)

    def test_fields_of_the_barcode(self) -> None:
        due = date(2026, 3, 15)
        bc = build_barcode("341", Decimal("987.65"), due, "1234567890123456789012345")
        boleto = parse_barcode(bc, reference=date(2026, 1, 1))
        assert boleto.kind == "bank"
        assert boleto.amount == Decimal("987.65")
        assert boleto.due_date == due
        assert boleto.due_date_factor == 1000 + (due - date(2025, 2, 22)).days
        assert (boleto.bank_code, boleto.currency_code) == ("341", "9")
        assert boleto.free_field == "1234567890123456789012345"

    def test_wrong_general_check_digit(self) -> None:
        bad = BB_BARCODE[:4] + "4" + BB_BARCODE[5:]
        with pytest.raises(InvalidBoleto, match="check digit is 4, expected 3"):
            parse_barcode(bad)

    def test_wrong_field_check_digit_in_line(self) -> None:
        bad = BB_LINE.replace("40144.816069", "40144.816068")
        with pytest.raises(InvalidBoleto, match="field 2: check digit 8, expected 9"):
            parse_typeable_line(bad)

    def test_no_amount_and_no_due_date(self) -> None:
        boleto = parse_barcode(build_barcode("001", None, None, "0" * 25))
        assert (boleto.amount, boleto.due_date, boleto.due_date_factor) == (None, None, 0)

    @pytest.mark.parametrize("bad", ["123", "0019337370000000100050094014481606068093503X", ""])
    def test_malformed_barcode(self, bad: str) -> None:
        with pytest.raises(InvalidBoleto, match="44 digits"):
            parse_barcode(bad)


class TestDueDateFactorEras:
    @pytest.mark.parametrize(
        ("factor", "reference", "expected"),
        [
            (1000, date(2000, 8, 1), date(2000, 7, 3)),
            (9999, date(2025, 2, 1), date(2025, 2, 21)),
            (1000, date(2025, 3, 1), date(2025, 2, 22)),
            (1001, date(2025, 3, 1), date(2025, 2, 23)),
            (3737, date(2008, 1, 1), date(2007, 12, 31)),
            (3737, date(2032, 1, 1), date(2025, 2, 22) + timedelta(days=2737)),
            (9000, date(2024, 1, 1), BASE + timedelta(days=9000)),
            (1500, date(2025, 11, 20), date(2025, 2, 22) + timedelta(days=500)),
            (1500, date(2002, 1, 1), BASE + timedelta(days=1500)),
        ],
    )
    def test_era_closest_to_reference(self, factor: int, reference: date, expected: date) -> None:
        assert due_date_from_factor(factor, reference) == expected

    def test_factor_zero_is_no_due_date(self) -> None:
        assert due_date_from_factor(0, date(2025, 1, 1)) is None

    @pytest.mark.parametrize(
        ("due", "factor"),
        [
            (date(2000, 7, 3), 1000),
            (date(2025, 2, 21), 9999),
            (date(2025, 2, 22), 1000),
            (date(2025, 12, 10), 1291),
        ],
    )
    def test_factor_from_date_in_both_eras(self, due: date, factor: int) -> None:
        assert factor_from_due_date(due) == factor

    @pytest.mark.parametrize("due", [date(2024, 12, 31), date(2025, 2, 21), date(2025, 2, 22)])
    def test_round_trip_around_the_rollover(self, due: date) -> None:
        bc = build_barcode("104", Decimal("10.00"), due, "9" * 25)
        assert parse_barcode(bc, reference=date(2025, 2, 1)).due_date == due


class TestCollectionBoleto:
    @pytest.mark.parametrize(("line", "amount"), COLLECTION_LINES.items())
    def test_published_examples(self, line: str, amount: Decimal) -> None:
        boleto = parse_typeable_line(line)
        assert boleto.kind == "collection"
        assert boleto.amount == amount
        assert boleto.due_date is None
        assert typeable_line(boleto.barcode) == line

    @pytest.mark.parametrize("value_id", ["6", "7", "8", "9"])
    def test_typeable_line_with_independent_check_digits(self, value_id: str) -> None:
        bc = build_collection_barcode(
            "2", Decimal("150.75"), "0123", "4567890123456789012345678", value_id=value_id
        )
        mod11 = value_id in ("8", "9")
        dv = (lambda b: ref_mod11(b, bank=False)) if mod11 else ref_mod10
        assert int(bc[3]) == dv(bc[:3] + bc[4:])
        blocks = [bc[i : i + 11] for i in range(0, 44, 11)]
        expected = "".join(b + str(dv(b)) for b in blocks)
        assert typeable_line(bc) == expected
        boleto = parse_barcode(bc)
        assert boleto.segment == "2"
        assert boleto.company_id == "0123"
        assert boleto.amount == (Decimal("150.75") if value_id in ("6", "8") else None)

    def test_segment_6_identifies_the_company_by_cnpj_prefix(self) -> None:
        bc = build_collection_barcode("6", Decimal("1"), "11222333", "0" * 21)
        assert parse_barcode(bc).company_id == "11222333"

    def test_wrong_block_check_digit(self) -> None:
        line = next(iter(COLLECTION_LINES))
        bad = line[:11] + str((int(line[11]) + 1) % 10) + line[12:]
        with pytest.raises(InvalidBoleto, match="block 1"):
            parse_typeable_line(bad)

    def test_bad_value_identifier(self) -> None:
        with pytest.raises(InvalidBoleto, match="value identifier"):
            parse_barcode("8" + "1" + "5" + "0" * 41)


class TestRoundTrip:
    @pytest.mark.parametrize(
        "barcode",
        [
            BB_BARCODE,
            build_barcode("237", Decimal("0.01"), date(2030, 1, 1), "0" * 24 + "1"),
            build_barcode("756", Decimal("99999999.99"), date(2001, 1, 1), "5" * 25),
            build_collection_barcode("3", Decimal("66.78"), "0048", "1" * 25),
            build_collection_barcode("5", Decimal("12.00"), "9999", "2" * 25, value_id="8"),
        ],
    )
    def test_barcode_line_barcode(self, barcode: str) -> None:
        line = typeable_line(barcode)
        assert barcode_from_typeable_line(format_typeable_line(line)) == barcode
        assert parse_typeable_line(line).barcode == barcode

    def test_formatted_collection_line(self) -> None:
        line = next(iter(COLLECTION_LINES))
        assert format_typeable_line(line) == (
            "83620000000-5 66780048100-0 18097565731-3 00158963608-1"
        )
