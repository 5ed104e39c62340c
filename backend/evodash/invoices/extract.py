"""The whole CPU-bound pipeline: check the image → decode codes → OCR → merge fields.

Synchronous on purpose: the job worker runs it in a thread or process pool (never on
the event loop). The result is a pydantic model whose JSON form has amounts as strings
and dates in ISO format, so it can be stored and pushed to the browser as is.

Merging trusts machine-readable codes over OCR: a boleto barcode (check digit verified)
beats a PIX QR (CRC verified), which beats a typeable line read by OCR (check digits
verified), which beats OCR'd words. Every summary field records where it came from,
and disagreements between sources are listed as warnings rather than silently dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from evodash.invoices.boleto import Boleto, parse_typeable_line
from evodash.invoices.cnpj import format_cnpj
from evodash.invoices.decode import DecodedCode, decode_codes, skew_degrees
from evodash.invoices.imaging import CheckedImage, deskew, load_checked_image
from evodash.invoices.ocr import run_ocr
from evodash.invoices.pix import PixPayload
from evodash.invoices.text import TextFields, extract_fields, format_brl

Progress = Callable[[int, str], None]
Source = Literal["boleto_barcode", "boleto_line_ocr", "pix_qr", "ocr"]
SummaryField = Literal["amount", "due_date", "beneficiary", "cnpj", "pix_key", "typeable_line"]
_EXCERPT = 1500


class ImageInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str
    mime_type: str
    width: int
    height: int
    sha256: str
    size_bytes: int


class OcrResult(BaseModel):
    """What OCR read; ``performed`` False with ``skipped_reason`` when it did not run."""

    model_config = ConfigDict(frozen=True)

    performed: bool
    skipped_reason: str | None = None
    languages: str | None = None
    duration_ms: int = 0
    amount: Decimal | None = None
    amount_label: str | None = None
    due_date: date | None = None
    cnpj: str | None = None
    cnpjs: list[str] = []
    beneficiary: str | None = None
    typeable_lines: list[str] = []
    text_excerpt: str = ""


class InvoiceSummary(BaseModel):
    """The merged answer, with the source of every field that has a value."""

    model_config = ConfigDict(frozen=True)

    amount: Decimal | None = None
    due_date: date | None = None
    beneficiary: str | None = None
    cnpj: str | None = None
    pix_key: str | None = None
    typeable_line: str | None = None
    sources: dict[SummaryField, Source] = {}
    warnings: list[str] = []


class InvoiceResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    image: ImageInfo
    codes: list[DecodedCode]
    pix: PixPayload | None
    boleto: Boleto | None
    boleto_source: Literal["barcode", "ocr_typeable_line"] | None
    ocr: OcrResult
    summary: InvoiceSummary
    timings_ms: dict[str, int]

    @property
    def found_anything(self) -> bool:
        s = self.summary
        return any((s.amount, s.due_date, s.pix_key, s.typeable_line, s.cnpj))


def _ocr_result(image: CheckedImage, skew: float, enabled: bool) -> OcrResult:
    if not enabled:
        return OcrResult(performed=False, skipped_reason="OCR disabled for this job")
    raw = run_ocr(deskew(image.image, skew))
    if not raw.performed:
        return OcrResult(performed=False, skipped_reason=raw.skipped_reason)
    fields: TextFields = extract_fields(raw.text)
    return OcrResult(
        performed=True,
        languages=raw.languages,
        duration_ms=raw.duration_ms,
        text_excerpt=raw.text.strip()[:_EXCERPT],
        **fields.model_dump(),
    )


class _Merger:
    """Fills summary fields first-source-wins and records disagreements."""

    def __init__(self) -> None:
        self.values: dict[SummaryField, object] = {}
        self.sources: dict[SummaryField, Source] = {}
        self.warnings: list[str] = []

    def offer(self, field: SummaryField, value: object, source: Source) -> None:
        if value is None or value == "":
            return
        if field not in self.values:
            self.values[field] = value
            self.sources[field] = source
        elif self.values[field] != value and field in ("amount", "due_date"):
            self.warnings.append(
                f"{field} from {source} ({_show(value)}) differs from "
                f"{self.sources[field]} ({_show(self.values[field])})"
            )


def _show(value: object) -> str:
    if isinstance(value, Decimal):
        return format_brl(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _first_valid(codes: list[DecodedCode]) -> tuple[PixPayload | None, Boleto | None]:
    pix = next((c.pix for c in codes if c.pix is not None), None)
    boleto = next((c.boleto for c in codes if c.boleto is not None), None)
    return pix, boleto


def merge(
    codes: list[DecodedCode],
    ocr: OcrResult,
    *,
    reference: date | None = None,
) -> tuple[InvoiceSummary, Boleto | None, Literal["barcode", "ocr_typeable_line"] | None]:
    """Combine codes and OCR into one summary (pure; exposed for tests)."""
    pix, boleto = _first_valid(codes)
    boleto_source: Literal["barcode", "ocr_typeable_line"] | None = "barcode" if boleto else None
    m = _Merger()
    m.warnings += [f"{c.kind} code rejected: {c.error}" for c in codes if c.error]
    if boleto:
        _offer_boleto(m, boleto, "boleto_barcode")
    elif ocr.typeable_lines:
        boleto = parse_typeable_line(ocr.typeable_lines[0], reference=reference)
        boleto_source = "ocr_typeable_line"
        _offer_boleto(m, boleto, "boleto_line_ocr")
    if pix:
        m.offer("amount", pix.amount, "pix_qr")
        m.offer("beneficiary", pix.merchant_name, "pix_qr")
        m.offer("pix_key", pix.key, "pix_qr")
        if pix.key_type == "cnpj" and pix.key:
            m.offer("cnpj", format_cnpj(pix.key), "pix_qr")
    m.offer("amount", ocr.amount, "ocr")
    m.offer("due_date", ocr.due_date, "ocr")
    m.offer("beneficiary", ocr.beneficiary, "ocr")
    m.offer("cnpj", ocr.cnpj, "ocr")
    summary = InvoiceSummary.model_validate(
        {**m.values, "sources": m.sources, "warnings": m.warnings}
    )
    return summary, boleto, boleto_source


def _offer_boleto(m: _Merger, boleto: Boleto, source: Source) -> None:
    m.offer("amount", boleto.amount, source)
    m.offer("due_date", boleto.due_date, source)
    m.offer("typeable_line", boleto.typeable_line_formatted, source)


def extract_from_image(
    checked: CheckedImage,
    *,
    ocr: bool = True,
    progress: Progress | None = None,
    reference: date | None = None,
) -> InvoiceResult:
    """The pipeline after the image check, for callers that already hold a CheckedImage
    (the worker checks once, stores and thumbnails, then extracts)."""
    report = progress or (lambda _pct, _stage: None)
    timings: dict[str, int] = {}
    started = time.perf_counter()
    report(15, "decoding")
    codes = decode_codes(checked.image)
    timings["decode"] = _ms_since(started)
    report(40 if ocr else 85, "ocr" if ocr else "merging")
    started = time.perf_counter()
    ocr_result = _ocr_result(checked, skew_degrees(codes), ocr)
    timings["ocr"] = _ms_since(started)
    report(90, "merging")
    summary, boleto, boleto_source = merge(codes, ocr_result, reference=reference)
    pix, _ = _first_valid(codes)
    info = ImageInfo(
        format=checked.format,
        mime_type=checked.mime_type,
        width=checked.width,
        height=checked.height,
        sha256=checked.sha256,
        size_bytes=checked.size_bytes,
    )
    return InvoiceResult(
        image=info,
        codes=codes,
        pix=pix,
        boleto=boleto,
        boleto_source=boleto_source,
        ocr=ocr_result,
        summary=summary,
        timings_ms=timings,
    )


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def extract_invoice(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    ocr: bool = True,
    progress: Progress | None = None,
    reference: date | None = None,
) -> InvoiceResult:
    """Check ``data`` and extract everything; raises :class:`InvalidImage` for bad images.

    ``progress(percent, stage)`` is called with stages ``checking``, ``decoding``, ``ocr``,
    ``merging`` and ``done``. ``reference`` picks the boleto due-date era (default today).
    """
    report = progress or (lambda _pct, _stage: None)
    report(0, "checking")
    started = time.perf_counter()
    checked = load_checked_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    check_ms = _ms_since(started)
    result = extract_from_image(checked, ocr=ocr, progress=report, reference=reference)
    report(100, "done")
    return result.model_copy(update={"timings_ms": {"check": check_ms, **result.timings_ms}})


_LABELS = {
    "pt-BR": {
        "title": "Li a sua imagem:",
        "amount": "Valor",
        "due_date": "Vencimento",
        "beneficiary": "Beneficiário",
        "cnpj": "CNPJ",
        "pix_key": "Chave PIX",
        "typeable_line": "Linha digitável",
        "nothing": (
            "Não encontrei código de barras, QR Code PIX nem valores legíveis nesta imagem. "
            "Tente uma foto mais nítida, de frente e com boa luz."
        ),
        "bad_pix": "Atenção: o QR Code PIX desta imagem é inválido (o CRC não confere).",
        "bad_boleto": "Atenção: o código de barras do boleto não confere (dígito verificador).",
        "ocr_only": "(valores lidos do texto da imagem; confira antes de pagar)",
    },
    "en": {
        "title": "I read your image:",
        "amount": "Amount",
        "due_date": "Due date",
        "beneficiary": "Beneficiary",
        "cnpj": "CNPJ",
        "pix_key": "PIX key",
        "typeable_line": "Typeable line",
        "nothing": "I found no barcode, PIX QR code or readable amounts in this image.",
        "bad_pix": "Warning: this image's PIX QR code is invalid (CRC mismatch).",
        "bad_boleto": "Warning: the boleto barcode does not verify (check digit).",
        "ocr_only": "(values read from the image text; check them before paying)",
    },
}


def summary_text(result: InvoiceResult, lang: str = "pt-BR") -> str:
    """A short reply for the sender on WhatsApp (Portuguese unless ``lang="en"``)."""
    labels = _LABELS.get(lang, _LABELS["pt-BR"])
    s = result.summary
    lines: list[str] = []
    if any(c.kind == "pix" and c.error for c in result.codes):
        lines.append(labels["bad_pix"])
    if any(c.kind == "boleto" and c.error for c in result.codes):
        lines.append(labels["bad_boleto"])
    if not result.found_anything:
        return "\n".join([*lines, labels["nothing"]])
    values: list[tuple[SummaryField, str | None]] = [
        ("amount", format_brl(s.amount) if s.amount is not None else None),
        ("due_date", s.due_date.strftime("%d/%m/%Y") if s.due_date else None),
        ("beneficiary", s.beneficiary),
        ("cnpj", s.cnpj),
        ("pix_key", s.pix_key),
        ("typeable_line", s.typeable_line),
    ]
    lines.insert(0, labels["title"])
    lines += [f"• {labels[field]}: {value}" for field, value in values if value]
    if s.sources and all(src == "ocr" for src in s.sources.values()):
        lines.append(labels["ocr_only"])
    return "\n".join(lines)
