"""Accept or refuse untrusted image bytes, and make thumbnails.

Images arrive from WhatsApp senders, so nothing about them is trusted: the real type
comes from the content (Pillow restricted to a few formats), the byte size and the
pixel count are bounded *before* any pixel is decoded (Pillow opens lazily, reading
only the header), and corruption is caught by ``verify()`` followed by a full ``load()``
of a fresh copy (``verify()`` leaves the image unusable and misses truncated data).

Pillow's own decompression-bomb guard uses the process-wide ``Image.MAX_IMAGE_PIXELS``.
Changing that global per call would race with other threads, so we leave it alone,
enforce our ``max_pixels`` from the header ourselves, and turn Pillow's
``DecompressionBombError`` (and its warning, should warnings be errors) into
:class:`InvalidImage` too.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from evodash.invoices.errors import InvalidImage

#: Images larger than this on both sides are decoded smaller when the format allows it.
WORKING_SIDE = 2048

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
MIME_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"<svg", "an SVG drawing"),
    (b"<?xml", "an XML document"),
    (b"<!DOCTYPE", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"OggS", "an Ogg audio/video file"),
    (b"\x00\x00\x00\x18ftyp", "an MP4/HEIC file"),
    (b"\x00\x00\x00\x1cftyp", "an MP4/HEIC file"),
    (b"\x00\x00\x00\x20ftyp", "an MP4/HEIC file"),
)


@dataclass(frozen=True)
class CheckedImage:
    """An image that passed every check, already rotated upright from its EXIF tag."""

    image: Image.Image
    format: str
    mime_type: str
    width: int
    height: int
    sha256: str
    size_bytes: int


def _describe(data: bytes) -> str:
    """Name what the bytes look like, so the refusal says more than "not an image"."""
    head = data[:64].lstrip()
    for magic, name in _SIGNATURES:
        if head.startswith(magic) or data.startswith(magic):
            return name
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised binary data"
    return "text"


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except UnidentifiedImageError as exc:
        raise InvalidImage(
            f"not a supported image: the content is {_describe(data)} "
            f"(accepted: {', '.join(ALLOWED_FORMATS)})"
        ) from exc


def _check_pixels(img: Image.Image, max_pixels: int) -> None:
    width, height = img.size
    if width <= 0 or height <= 0:
        raise InvalidImage("image has no pixels")
    if width * height > max_pixels:
        raise InvalidImage(
            f"image is too large: {width}x{height} = {width * height:,} pixels, "
            f"limit is {max_pixels:,} (refused as a possible decompression bomb)"
        )


def load_checked_image(data: bytes, *, max_bytes: int, max_pixels: int) -> CheckedImage:
    """Open untrusted bytes as an image, or raise :class:`InvalidImage` saying why."""
    if not data:
        raise InvalidImage("empty file: no image data")
    if len(data) > max_bytes:
        raise InvalidImage(f"image is {len(data):,} bytes, limit is {max_bytes:,}")
    fmt = "unknown"
    try:
        probe = _open(data)
        fmt = probe.format or fmt
        if fmt not in ALLOWED_FORMATS:  # pragma: no cover - Image.open(formats=...) guards it
            raise InvalidImage(f"image format {fmt or 'unknown'} is not accepted")
        _check_pixels(probe, max_pixels)
        probe.verify()
        img = _open(data)  # verify() leaves the image unusable; start again
        if fmt == "JPEG" and max(img.size) > WORKING_SIDE:
            # JPEG can decode at 1/2, 1/4 or 1/8 scale for the price of that size: more
            # pixels than WORKING_SIDE do not help reading an invoice.
            img.draft("RGB", (WORKING_SIDE, WORKING_SIDE))
        img.load()  # decodes every pixel: truncated data fails here
        upright = ImageOps.exif_transpose(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage(f"image refused as a decompression bomb: {exc}") from exc
    except InvalidImage:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        # Pillow signals corrupt or truncated files with these, with terse messages.
        raise InvalidImage(f"corrupt or truncated {fmt} image: {exc}") from exc
    return CheckedImage(
        image=upright,
        format=fmt,
        mime_type=MIME_TYPES[fmt],
        width=upright.width,
        height=upright.height,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
    )


def flatten_rgb(img: Image.Image) -> Image.Image:
    """RGB copy with transparency composited on white (a black QR on a transparent PNG
    would otherwise turn into black on black)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img if img.mode == "RGB" else img.convert("RGB")


def make_thumbnail(
    img: Image.Image, max_side: int = 320, fmt: Literal["JPEG", "WEBP"] = "JPEG"
) -> bytes:
    """A small preview (longest side ``max_side``) for the dashboard, as JPEG or WEBP."""
    thumb = flatten_rgb(img).copy()
    thumb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    thumb.save(out, format=fmt, quality=80)
    return out.getvalue()


def deskew(img: Image.Image, degrees: float) -> Image.Image:
    """Rotate by the measured skew (counter-clockwise positive), padding with white."""
    if abs(degrees) < 0.5:
        return img
    return flatten_rgb(img).rotate(
        degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white"
    )
