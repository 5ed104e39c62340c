from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from evodash.invoices.decode import decode_codes
from evodash.invoices.render import find_font_path, render_invoice_image

from .conftest import InvoiceSpec


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_formats_and_size(fmt: str, spec: InvoiceSpec) -> None:
    data = render_invoice_image(pix_payload=spec.pix_payload, size=(1200, 900), fmt=fmt)
    with Image.open(io.BytesIO(data)) as img:
        assert (img.format, img.size) == (fmt, (1200, 900))
        codes = decode_codes(img)
    assert [c.text for c in codes] == [spec.pix_payload]


def test_everything_optional() -> None:
    data = render_invoice_image(total=Decimal("1"), due_date=date(2026, 1, 1))
    assert Image.open(io.BytesIO(data)).size == (1600, 1200)


def test_font_is_a_truetype_file_when_one_is_installed() -> None:
    path = find_font_path()
    if path is None:
        pytest.skip("no DejaVu Sans installed; the renderer falls back to Pillow's font")
    assert Path(path).is_file()
