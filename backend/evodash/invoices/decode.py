"""Find barcodes and QR codes in an image with zxing-cpp and say what they are.

zxing does the decoding (QR, ITF, Code 128, DataMatrix, ...). When the first pass over
the image as received finds nothing, a second pass tries enhanced copies (grayscale
with stretched contrast, upscaled when small; then hard black-and-white), which
rescues dim, low-contrast or low-resolution phone photos at little cost for the
common case where the first pass already succeeds.

Each code is then classified: a PIX BR Code (parsed, CRC checked), a boleto barcode
(44 digits: parsed, check digit verified, typeable line computed) or other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Literal

import zxingcpp
from PIL import Image, ImageFilter, ImageOps
from pydantic import BaseModel, ConfigDict

from evodash.invoices.boleto import Boleto, parse_barcode, parse_typeable_line
from evodash.invoices.errors import InvalidBoleto, InvalidPix
from evodash.invoices.imaging import deskew, flatten_rgb
from evodash.invoices.pix import PixPayload, parse_pix

CodeKind = Literal["pix", "boleto", "other"]
DecodePass = Literal["original", "enhanced", "binarized", "deskewed"]
_MATRIX_FORMATS = ("QRCode", "MicroQRCode", "DataMatrix", "Aztec", "RMQRCode")
_LINEAR = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.ITF, zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.Code39]
)
_SMALL_SIDE = 1200  # images whose longest side is below this are upscaled for pass two


class DecodedCode(BaseModel):
    """One code found in the image; ``error`` says why a PIX/boleto code was rejected."""

    model_config = ConfigDict(frozen=True)

    format: str
    text: str
    kind: CodeKind
    decode_pass: DecodePass
    position: list[tuple[int, int]]
    pix: PixPayload | None = None
    boleto: Boleto | None = None
    error: str | None = None


def classify(
    text: str,
    fmt: str,
    decode_pass: DecodePass = "original",
    position: list[tuple[int, int]] | None = None,
) -> DecodedCode:
    """Turn a decoded text into a :class:`DecodedCode`, parsing PIX and boleto payloads."""
    base = {"format": fmt, "text": text, "decode_pass": decode_pass, "position": position or []}
    stripped = text.strip()
    if "br.gov.bcb.pix" in stripped.lower() or stripped.startswith("000201"):
        try:
            return DecodedCode(kind="pix", pix=parse_pix(stripped), **base)
        except InvalidPix as exc:
            return DecodedCode(kind="pix", error=str(exc), **base)
    digits = re.sub(r"[\s.\-]", "", stripped)
    if digits.isdigit() and len(digits) in (44, 47, 48):
        try:
            boleto = parse_barcode(digits) if len(digits) == 44 else parse_typeable_line(digits)
        except InvalidBoleto as exc:
            return DecodedCode(kind="boleto", error=str(exc), **base)
        return DecodedCode(kind="boleto", boleto=boleto, **base)
    return DecodedCode(kind="other", **base)


def _variants(image: Image.Image) -> Iterator[tuple[DecodePass, Image.Image, float]]:
    """Enhanced copies for the second pass, with the factor they were scaled by."""
    gray = ImageOps.autocontrast(image.convert("L"), cutoff=1)
    scale = 2.0 if max(gray.size) < _SMALL_SIDE else 1.0
    if scale != 1.0:
        gray = gray.resize(
            (int(gray.width * scale), int(gray.height * scale)), Image.Resampling.LANCZOS
        )
    yield "enhanced", gray.filter(ImageFilter.SHARPEN), scale
    histogram = gray.histogram()
    total = sum(histogram)
    mean = sum(i * n for i, n in enumerate(histogram)) / total if total else 128
    yield "binarized", gray.point(lambda v: 255 if v > mean else 0, mode="L"), scale


def _read(
    image: Image.Image,
    decode_pass: DecodePass,
    scale: float = 1.0,
    formats: zxingcpp.BarcodeFormats | None = None,
) -> list[DecodedCode]:
    found = (
        zxingcpp.read_barcodes(image)
        if formats is None
        else zxingcpp.read_barcodes(image, formats=formats)
    )
    codes = []
    for barcode in found:
        p = barcode.position
        corners = [p.top_left, p.top_right, p.bottom_right, p.bottom_left]
        position = [(round(c.x / scale), round(c.y / scale)) for c in corners]
        codes.append(classify(barcode.text, barcode.format.name, decode_pass, position))
    return codes


def _useful(codes: list[DecodedCode], kinds: tuple[CodeKind, ...] = ("pix", "boleto")) -> bool:
    return any(c.kind in kinds and c.error is None for c in codes)


def skew_degrees(codes: list[DecodedCode]) -> float:
    """The page's rotation, measured on the top edge of a 2-D code (0 when none)."""
    for code in codes:
        if code.format in _MATRIX_FORMATS and len(code.position) == 4:
            (x0, y0), (x1, y1) = code.position[0], code.position[1]
            return math.degrees(math.atan2(y1 - y0, x1 - x0))
    return 0.0


def decode_codes(image: Image.Image) -> list[DecodedCode]:
    """Every distinct code in ``image``, PIX and boletos parsed; empty when none is found.

    Passes, each only when the previous ones found no valid PIX or boleto: the image as
    is; enhanced then binarized copies; and, when a QR shows the page is rotated while no
    boleto was read, a deskewed copy scanned for 1-D codes only (zxing reads 1-D codes
    along rows, so a few degrees of tilt across a long ITF barcode defeats it).
    """
    rgb = flatten_rgb(image)
    codes = _read(rgb, "original")
    if not _useful(codes):
        for decode_pass, variant, scale in _variants(rgb):
            more = _read(variant, decode_pass, scale)
            if _useful(more) or (more and not codes):
                codes = more + codes
                break
    skew = skew_degrees(codes)
    if not _useful(codes, ("boleto",)) and abs(skew) >= 1.0:
        upright = deskew(rgb, skew)
        linear = _read(upright, "deskewed", formats=_LINEAR)
        codes += [_without_position(c) for c in linear]
    unique: dict[tuple[str, str], DecodedCode] = {}
    for code in codes:
        unique.setdefault((code.format, code.text), code)
    return list(unique.values())


def _without_position(code: DecodedCode) -> DecodedCode:
    """Positions in a rotated copy do not map onto the original; drop them."""
    return code.model_copy(update={"position": []})
