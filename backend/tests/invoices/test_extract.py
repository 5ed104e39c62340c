from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from evodash.invoices import ocr as ocr_module
from evodash.invoices.boleto import format_typeable_line, typeable_line
from evodash.invoices.decode import classify
from evodash.invoices.errors import InvalidImage
from evodash.invoices.extract import (
    InvoiceResult,
    OcrResult,
    extract_invoice,
    merge,
    summary_text,
)
from evodash.invoices.ocr import OcrAvailability
from evodash.invoices.pix import build_pix_payload
from evodash.invoices.render import degrade_like_photo, render_invoice_image

from .conftest import MAX_BYTES, MAX_PIXELS, TODAY, InvoiceSpec, require_tesseract


def run(data: bytes, **kwargs: object) -> InvoiceResult:
    return extract_invoice(
        data,
        max_bytes=MAX_BYTES,
        max_pixels=MAX_PIXELS,
        reference=TODAY,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def full_result(invoice_jpeg: bytes) -> InvoiceResult:
    return run(invoice_jpeg, ocr=True)


class TestPrintedInvoice:
    def test_codes_give_exact_fields(self, full_result: InvoiceResult, spec: InvoiceSpec) -> None:
        s = full_result.summary
        assert s.amount == spec.total
        assert s.due_date == spec.due_date
        assert s.pix_key == "11222333000181"
        assert s.cnpj == "11.222.333/0001-81"
        assert s.beneficiary == "Companhia Exemplo"
        assert s.typeable_line == format_typeable_line(typeable_line(spec.barcode))
        assert s.sources == {
            "amount": "boleto_barcode",
            "due_date": "boleto_barcode",
            "typeable_line": "boleto_barcode",
            "beneficiary": "pix_qr",
            "pix_key": "pix_qr",
            "cnpj": "pix_qr",
        }
        assert full_result.boleto_source == "barcode"
        assert full_result.pix is not None
        assert full_result.pix.crc == spec.pix_payload[-4:]

    @pytest.mark.slow
    def test_ocr_finds_total_due_date_and_cnpj(
        self, full_result: InvoiceResult, spec: InvoiceSpec
    ) -> None:
        require_tesseract()
        ocr = full_result.ocr
        assert ocr.performed
        assert ocr.languages == "por+eng"
        assert ocr.amount == spec.total
        assert ocr.amount_label == "total a pagar"
        assert ocr.due_date == spec.due_date
        assert ocr.cnpj == "11.222.333/0001-81"
        assert ocr.beneficiary == spec.beneficiary
        assert ocr.typeable_lines == [typeable_line(spec.barcode)]
        assert "Total a pagar" in ocr.text_excerpt
        assert full_result.summary.warnings == []

    def test_json_has_string_amounts_and_iso_dates(self, full_result: InvoiceResult) -> None:
        data = full_result.model_dump(mode="json")
        assert data["summary"]["amount"] == "1234.56"
        assert data["summary"]["due_date"] == "2025-12-10"
        assert data["boleto"]["amount"] == "1234.56"
        assert data["image"] == {
            "format": "JPEG",
            "mime_type": "image/jpeg",
            "width": 1600,
            "height": 1200,
            "sha256": full_result.image.sha256,
            "size_bytes": full_result.image.size_bytes,
        }
        assert InvoiceResult.model_validate_json(full_result.model_dump_json()) == full_result

    def test_summary_text_in_portuguese(self, full_result: InvoiceResult) -> None:
        text = summary_text(full_result)
        assert "Valor: R$ 1.234,56" in text
        assert "Vencimento: 10/12/2025" in text
        assert f"Linha digitável: {full_result.summary.typeable_line}" in text
        assert "Chave PIX: 11222333000181" in text
        assert "Amount: R$ 1.234,56" in summary_text(full_result, lang="en")


class TestPipelineOptions:
    def test_without_ocr(self, invoice_jpeg: bytes, spec: InvoiceSpec) -> None:
        stages: list[tuple[int, str]] = []
        result = run(invoice_jpeg, ocr=False, progress=lambda p, s: stages.append((p, s)))
        assert result.ocr.performed is False
        assert result.ocr.skipped_reason == "OCR disabled for this job"
        assert result.summary.amount == spec.total
        percents = [p for p, _ in stages]
        assert percents == sorted(percents)
        assert stages[0] == (0, "checking")
        assert stages[-1] == (100, "done")
        assert set(result.timings_ms) == {"check", "decode", "ocr"}

    def test_missing_tesseract_is_a_skip_with_a_reason(
        self, invoice_jpeg: bytes, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        missing = OcrAvailability(available=False, reason="tesseract is not installed (test)")
        monkeypatch.setattr(ocr_module, "tesseract_status", lambda: missing)
        result = run(invoice_jpeg, ocr=True)
        assert result.ocr.performed is False
        assert result.ocr.skipped_reason == "tesseract is not installed (test)"
        assert result.summary.amount == Decimal("1234.56")

    def test_invalid_image_propagates(self) -> None:
        with pytest.raises(InvalidImage, match="PDF"):
            run(b"%PDF-1.4 not really")


class TestOcrOnlyInvoice:
    @pytest.mark.slow
    def test_fields_come_from_ocr(self) -> None:
        require_tesseract()
        data = render_invoice_image(
            total=Decimal("89.90"), due_date=date(2026, 1, 5), cnpj="00000000000191", fmt="PNG"
        )
        result = run(data)
        s = result.summary
        assert (s.amount, s.due_date, s.cnpj) == (
            Decimal("89.90"),
            date(2026, 1, 5),
            "00.000.000/0001-91",
        )
        assert set(s.sources.values()) == {"ocr"}
        assert "confira antes de pagar" in summary_text(result)

    @pytest.mark.slow
    def test_photo_is_deskewed_before_ocr(self, invoice_jpeg: bytes, spec: InvoiceSpec) -> None:
        require_tesseract()
        photo = degrade_like_photo(invoice_jpeg, angle=2.5, blur=1.0, quality=60)
        result = run(photo)
        assert result.ocr.amount == spec.total
        assert result.ocr.due_date == spec.due_date


class TestMerge:
    def test_disagreeing_amounts_are_warned_about(self, spec: InvoiceSpec) -> None:
        codes = [classify(spec.barcode, "ITF")]
        ocr = OcrResult(performed=True, amount=Decimal("999.00"), due_date=spec.due_date)
        summary, boleto, source = merge(codes, ocr, reference=TODAY)
        assert summary.amount == spec.total
        assert source == "barcode"
        assert boleto is not None
        assert summary.warnings == [
            "amount from ocr (R$ 999,00) differs from boleto_barcode (R$ 1.234,56)"
        ]

    def test_typeable_line_read_by_ocr_fills_in_for_a_missing_barcode(
        self, spec: InvoiceSpec
    ) -> None:
        ocr = OcrResult(performed=True, typeable_lines=[typeable_line(spec.barcode)])
        summary, boleto, source = merge([], ocr, reference=TODAY)
        assert source == "ocr_typeable_line"
        assert boleto is not None
        assert (summary.amount, summary.due_date) == (spec.total, spec.due_date)
        assert summary.sources["amount"] == "boleto_line_ocr"

    def test_rejected_pix_is_reported_to_the_sender(self) -> None:
        bad = build_pix_payload("a@b.co", "Loja", "Rio", Decimal("5"))[:-4] + "0000"
        data = render_invoice_image(pix_payload=bad, fmt="PNG")
        result = run(data, ocr=False)
        assert result.pix is None
        assert result.summary.warnings[0].startswith("pix code rejected: PIX BR Code CRC mismatch")
        text = summary_text(result)
        assert "QR Code PIX desta imagem é inválido" in text
        assert "Não encontrei" in text

    def test_blank_image(self) -> None:
        data = render_invoice_image(fmt="PNG", beneficiary="")
        result = run(data, ocr=False)
        assert not result.found_anything
        assert summary_text(result).startswith("Não encontrei código de barras")
