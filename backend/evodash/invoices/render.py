"""Draw invoice-like images (a printed "fatura" with PIX QR and boleto barcode).

Used by the tests, the WhatsApp simulator and the benchmark, so that every one of them
exercises the real pipeline on images whose content is known exactly. Text is drawn
with a TrueType font big enough for Tesseract; the QR comes from ``segno`` and the ITF
barcode from zxing-cpp's writer, both scaled so that zxing reads them back.
"""

from __future__ import annotations

import functools
import io
import random
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import segno
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from evodash.invoices.boleto import format_typeable_line, typeable_line
from evodash.invoices.cnpj import format_cnpj
from evodash.invoices.text import format_brl

_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)
_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def find_font_path() -> str | None:
    """DejaVu Sans from a usual path or fontconfig; ``None`` when there is none."""
    for candidate in _FONT_PATHS:
        if Path(candidate).is_file():
            return candidate
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            out = subprocess.run(
                [fc_match, "-f", "%{file}", "DejaVu Sans"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if out.lower().endswith((".ttf", ".otf")) and Path(out).is_file():
            return out
    return None


@functools.cache
def _font(size: int, bold: bool = False) -> _Font:
    path = find_font_path()
    if path:
        bold_path = path.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
        chosen = bold_path if bold and Path(bold_path).is_file() else path
        return ImageFont.truetype(chosen, size)
    try:  # Pillow >= 10.1 scales its built-in font when FreeType is available
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):  # pragma: no cover - very old/odd builds
        return ImageFont.load_default()


def qr_image(payload: str, *, box: int) -> Image.Image:
    """A QR for ``payload`` (error correction M, 4-module quiet zone) about ``box`` px wide."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    modules = qr.symbol_size(border=4)[0]
    scale = max(box // modules, 2)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=scale, border=4)
    buf.seek(0)
    return Image.open(buf).convert("L")


def _bitmap_to_pil(bitmap: zxingcpp.Image) -> Image.Image:
    """zxing-cpp bitmaps expose the buffer protocol (8-bit gray); no numpy needed."""
    view = memoryview(cast(Any, bitmap))
    rows, cols = view.shape or (0, 0)
    return Image.frombytes("L", (cols, rows), view.tobytes())


def itf_image(barcode: str, *, width: int, height: int) -> Image.Image:
    """An ITF barcode with quiet zones, at an integer module scale no wider than ``width``."""
    code = zxingcpp.create_barcode(barcode, zxingcpp.BarcodeFormat.ITF)
    module_width = _bitmap_to_pil(code.to_image(scale=1, add_quiet_zones=True)).width
    scale = max(width // module_width, 1)
    strip = _bitmap_to_pil(code.to_image(scale=scale, add_quiet_zones=True))
    return strip.resize((strip.width, height), Image.Resampling.NEAREST)


def render_invoice_image(
    *,
    pix_payload: str | None = None,
    boleto_barcode: str | None = None,
    total: Decimal | None = None,
    due_date: date | None = None,
    cnpj: str | None = None,
    beneficiary: str = "Companhia de Serviços Exemplo Ltda",
    size: tuple[int, int] = (1600, 1200),
    fmt: str = "JPEG",
) -> bytes:
    """Draw a printed-invoice page and return it encoded as ``fmt`` (JPEG, PNG, WEBP...).

    Every argument is optional; what is ``None`` is left off the page. The layout scales
    with ``size`` (designed for 1600x1200).
    """
    width, height = size
    k = width / 1600
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    margin = int(60 * k)
    y = int(40 * k)
    draw.text((margin, y), "FATURA DE SERVIÇOS", fill="black", font=_font(int(44 * k), True))
    y += int(70 * k)
    body, small = _font(int(30 * k)), _font(int(24 * k))
    lines = [f"Beneficiário: {beneficiary}"]
    if cnpj:
        lines.append(f"CNPJ: {format_cnpj(cnpj)}")
    if due_date:
        lines.append(f"Emissão: {(due_date - timedelta(days=10)).strftime('%d/%m/%Y')}")
        lines.append(f"Vencimento: {due_date.strftime('%d/%m/%Y')}")
    if total is not None:
        # Smaller line items make the "total" keyword matter for the extractor.
        part = (total * Decimal("0.2")).quantize(Decimal("0.01"))
        lines.append(f"Serviços prestados no período   {format_brl(total - part)}")
        lines.append(f"Taxas e encargos   {format_brl(part)}")
    for text in lines:
        draw.text((margin, y), text, fill="black", font=body)
        y += int(48 * k)
    if total is not None:
        y += int(10 * k)
        draw.text(
            (margin, y),
            f"Total a pagar: {format_brl(total)}",
            fill="black",
            font=_font(int(40 * k), True),
        )
        y += int(70 * k)
    if pix_payload:
        qr_box = int(380 * k)
        qr = qr_image(pix_payload, box=qr_box)
        qx = width - margin - qr.width
        page.paste(qr, (qx, int(30 * k)))
        draw.text((qx, int(30 * k) + qr.height), "Pague com PIX", fill="black", font=small)
    if boleto_barcode:
        line = format_typeable_line(typeable_line(boleto_barcode))
        bar_h = int(150 * k)
        top = height - bar_h - int(60 * k)
        draw.text((margin, top - int(60 * k)), line, fill="black", font=body)
        bars = itf_image(boleto_barcode, width=width - 2 * margin, height=bar_h)
        page.paste(bars, (margin, top))
    out = io.BytesIO()
    page.save(out, format=fmt, **({"quality": 90} if fmt.upper() in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def degrade_like_photo(
    data: bytes,
    *,
    angle: float = 2.5,
    blur: float = 1.0,
    quality: int = 60,
    seed: int = 0,
) -> bytes:
    """Make a rendered page look like a phone photo: rotated, blurred, noisy, JPEG-compressed."""
    rng = random.Random(seed)
    img = Image.open(io.BytesIO(data)).convert("RGB")
    img = img.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(200, 200, 190)
    )
    img = img.filter(ImageFilter.GaussianBlur(blur))
    gray_tint = Image.new("RGB", img.size, (rng.randint(215, 240),) * 3)
    img = Image.blend(img, gray_tint, 0.12)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()
