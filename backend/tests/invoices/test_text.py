from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from evodash.invoices.boleto import build_barcode, format_typeable_line, typeable_line
from evodash.invoices.text import extract_fields, format_brl


class TestAmount:
    def test_total_keyword_beats_larger_line_items(self) -> None:
        text = "Mensalidade R$ 2.000,00\nDesconto R$ 900,00\nTotal a pagar: R$ 1.100,00"
        fields = extract_fields(text)
        assert fields.amount == Decimal("1100.00")
        assert fields.amount_label == "total a pagar"

    def test_label_on_the_line_above(self) -> None:
        fields = extract_fields("Valor do Documento\n1.234,56\nOutro valor R$ 99,00")
        assert fields.amount == Decimal("1234.56")
        assert fields.amount_label == "valor do documento"

    def test_specific_keyword_beats_plain_total(self) -> None:
        text = "Total de itens R$ 5.000,00\nValor cobrado R$ 4.500,00"
        assert extract_fields(text).amount == Decimal("4500.00")

    def test_discount_and_tax_lines_are_not_totals(self) -> None:
        text = "Total de tributos R$ 300,00\nServiço R$ 1.000,00"
        fields = extract_fields(text)
        assert fields.amount == Decimal("1000.00")
        assert fields.amount_label is None

    def test_falls_back_to_largest_rs_amount(self) -> None:
        fields = extract_fields("Item A R$ 10,00\nItem B R$ 1.500,25\nRef 9.999,99")
        assert fields.amount == Decimal("1500.25")
        assert fields.amount_label is None

    def test_ocr_reading_dollar_as_s_and_missing_accents(self) -> None:
        assert extract_fields("VALOR A PAGAR RS 87,40").amount == Decimal("87.40")

    def test_no_amount(self) -> None:
        assert extract_fields("nada aqui 12345").amount is None


class TestDueDate:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Emissão: 01/12/2025\nVencimento: 10/12/2025", date(2025, 12, 10)),
            ("Vencimento\n15.01.26", date(2026, 1, 15)),
            ("Data de vencimento 05-02-2026", date(2026, 2, 5)),
            ("Pagável até 28/02/2026 em qualquer banco", date(2026, 2, 28)),
            ("VENC. 3/4/2026", date(2026, 4, 3)),
        ],
    )
    def test_keyword_dates(self, text: str, expected: date) -> None:
        assert extract_fields(text).due_date == expected

    def test_single_date_without_keyword(self) -> None:
        fields = extract_fields("Referência 10/12/2025")
        assert (fields.due_date, fields.due_date_label) == (date(2025, 12, 10), None)

    def test_several_dates_without_keyword_are_ambiguous(self) -> None:
        assert extract_fields("Emissão 01/12/2025\nPeríodo 30/11/2025").due_date is None

    def test_impossible_dates_are_ignored(self) -> None:
        assert extract_fields("Vencimento 31/02/2025").due_date is None


class TestCnpj:
    def test_only_verified_cnpjs(self) -> None:
        text = "CNPJ 11.222.333/0001-81 e 11.222.333/0001-80 e 11111111111111 e 00000000000191"
        fields = extract_fields(text)
        assert fields.cnpjs == ["11.222.333/0001-81", "00.000.000/0001-91"]
        assert fields.cnpj == "11.222.333/0001-81"

    def test_ocr_spacing_inside_cnpj(self) -> None:
        assert extract_fields("CNPJ: 11.222.333/0001 - 81").cnpj == "11.222.333/0001-81"


class TestTypeableLine:
    def test_spaced_and_dotted_lines_are_found_and_verified(self) -> None:
        bc = build_barcode("237", Decimal("50"), date(2026, 1, 10), "1" * 25)
        line = typeable_line(bc)
        text = f"Linha digitável:\n{format_typeable_line(line)}\nOutro 1234"
        assert extract_fields(text).typeable_lines == [line]

    def test_collection_line(self) -> None:
        text = "83620000000-5 66780048100-0 18097565731-3 00158963608-1"
        assert extract_fields(text).typeable_lines == [
            "836200000005667800481000180975657313001589636081"
        ]

    def test_misread_digit_is_rejected(self) -> None:
        text = "00190.50095 40144.816069 06809.350314 3 37370000000101"  # amount digit changed
        assert extract_fields(text).typeable_lines == []


class TestBeneficiary:
    @pytest.mark.parametrize(
        "text",
        [
            "Beneficiário: Loja Exemplo Ltda",
            "BENEFICIARIO: Loja Exemplo Ltda - CNPJ 11.222.333/0001-81",
            "Cedente\nLoja Exemplo Ltda",
        ],
    )
    def test_name_after_keyword(self, text: str) -> None:
        assert extract_fields(text).beneficiary == "Loja Exemplo Ltda"


def test_format_brl() -> None:
    assert format_brl(Decimal("1234567.8")) == "R$ 1.234.567,80"
    assert format_brl(Decimal("0.5")) == "R$ 0,50"
