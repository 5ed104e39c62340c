from __future__ import annotations

import hashlib
import io
import struct
import zlib
from typing import Literal

import pytest
from PIL import Image

from evodash.invoices.errors import InvalidImage
from evodash.invoices.imaging import load_checked_image, make_thumbnail

from .conftest import MAX_BYTES, MAX_PIXELS, encode


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A ~100-byte PNG whose header claims ``width``x``height`` (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def load(data: bytes, **limits: int) -> object:
    return load_checked_image(
        data,
        max_bytes=limits.get("max_bytes", MAX_BYTES),
        max_pixels=limits.get("max_pixels", MAX_PIXELS),
    )


class TestAccepted:
    @pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"])
    def test_each_allowed_format(self, fmt: str) -> None:
        data = encode(Image.new("RGB", (64, 48), "red"), fmt)
        checked = load_checked_image(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
        assert (checked.format, checked.width, checked.height) == (fmt, 64, 48)
        assert checked.mime_type.startswith("image/")
        assert len(checked.sha256) == 64

    def test_sha256_is_of_the_bytes(self) -> None:
        data = encode(Image.new("RGB", (8, 8)), "PNG")
        checked = load_checked_image(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
        assert checked.sha256 == hashlib.sha256(data).hexdigest()

    def test_exif_orientation_is_applied(self) -> None:
        exif = Image.Exif()
        exif[0x0112] = 6  # "rotate 90° clockwise to display"
        data = encode(Image.new("RGB", (200, 100), "white"), "JPEG", exif=exif)
        checked = load_checked_image(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
        assert (checked.width, checked.height) == (100, 200)

    def test_global_pillow_limit_is_left_alone(self) -> None:
        before = Image.MAX_IMAGE_PIXELS
        with pytest.raises(InvalidImage):
            load(png_declaring(30000, 30000))
        assert before == Image.MAX_IMAGE_PIXELS


class TestRefused:
    def test_decompression_bomb_under_pillows_own_limit(self) -> None:
        # 8000x8000 = 64M pixels: Pillow would open it, our 40M limit must not.
        with pytest.raises(InvalidImage, match=r"8000x8000 = 64,000,000 pixels.*decompression"):
            load(png_declaring(8000, 8000))

    def test_decompression_bomb_beyond_pillows_limit(self) -> None:
        with pytest.raises(InvalidImage, match="decompression bomb"):
            load(png_declaring(30000, 30000), max_pixels=10**10)

    def test_pdf_with_an_image_mimetype(self) -> None:
        with pytest.raises(InvalidImage, match="not a supported image: the content is a PDF"):
            load(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")

    def test_text_bytes(self) -> None:
        with pytest.raises(InvalidImage, match="the content is text"):
            load(b"hello, this is not a picture")

    def test_unsupported_image_format(self) -> None:
        with pytest.raises(InvalidImage, match="accepted: JPEG, PNG"):
            load(encode(Image.new("RGB", (8, 8)), "PPM"))

    def test_truncated_jpeg(self) -> None:
        data = encode(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG")
        with pytest.raises(InvalidImage, match="corrupt or truncated JPEG image"):
            load(data[: len(data) // 2])

    def test_corrupted_png_chunk(self) -> None:
        data = bytearray(encode(Image.effect_noise((64, 64), 60), "PNG"))
        data[60] ^= 0xFF  # inside the IDAT data: its CRC no longer matches
        with pytest.raises(InvalidImage, match="corrupt or truncated PNG image"):
            load(bytes(data))

    def test_too_many_bytes(self) -> None:
        with pytest.raises(InvalidImage, match="limit is 1,000"):
            load(encode(Image.new("RGB", (300, 300)), "BMP"), max_bytes=1000)

    def test_empty(self) -> None:
        with pytest.raises(InvalidImage, match="empty"):
            load(b"")


class TestThumbnail:
    @pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
    def test_longest_side_is_bounded(self, fmt: Literal["JPEG", "WEBP"]) -> None:
        thumb = make_thumbnail(Image.new("RGBA", (1600, 1200), (0, 0, 0, 0)), 320, fmt)
        with Image.open(io.BytesIO(thumb)) as img:
            assert (img.format, img.size) == (fmt, (320, 240))
            # transparency is flattened on white, not black
            darkest = img.convert("L").getextrema()[0]
            assert isinstance(darkest, int)
            assert darkest > 240
