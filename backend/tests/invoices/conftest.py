"""Shared fixtures: invoices rendered with known content, and the OCR availability gate."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from evodash.invoices.boleto import build_barcode
from evodash.invoices.ocr import tesseract_available, tesseract_status
from evodash.invoices.pix import build_pix_payload
from evodash.invoices.render import render_invoice_image

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
TODAY = date(2025, 11, 20)  # fixed reference so due-date eras never depend on the clock


@dataclass(frozen=True)
class InvoiceSpec:
    pix_payload: str
    barcode: str
    total: Decimal
    due_date: date
    cnpj: str
    beneficiary: str


@pytest.fixture(scope="session")
def spec() -> InvoiceSpec:
    total = Decimal("1234.56")
    due = date(2025, 12, 10)
    return InvoiceSpec(
        pix_payload=build_pix_payload(
            "11222333000181", "Companhia Exemplo", "Sao Paulo", total, "FAT2025001"
        ),
        barcode=build_barcode("237", total, due, "3381286000000000123456780"),
        total=total,
        due_date=due,
        cnpj="11222333000181",
        beneficiary="Companhia de Serviços Exemplo Ltda",
    )


@pytest.fixture(scope="session")
def invoice_jpeg(spec: InvoiceSpec) -> bytes:
    return render_invoice_image(
        pix_payload=spec.pix_payload,
        boleto_barcode=spec.barcode,
        total=spec.total,
        due_date=spec.due_date,
        cnpj=spec.cnpj,
        beneficiary=spec.beneficiary,
        size=(1600, 1200),
        fmt="JPEG",
    )


def encode(img: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **params)
    return out.getvalue()


def require_tesseract() -> None:
    """Skip OCR assertions without Tesseract, except in CI where it must be installed."""
    if tesseract_available():
        return
    reason = tesseract_status().reason or "tesseract unavailable"
    if os.environ.get("CI"):
        pytest.fail(f"CI must install tesseract-ocr and tesseract-ocr-por: {reason}")
    pytest.skip(f"OCR assertions skipped: {reason}")
