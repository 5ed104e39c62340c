"""OCR with Tesseract (Portuguese + English) when it is installed, and a reason when not.

The ``tesseract`` binary and its ``por``/``eng`` data files are system packages
(``apt-get install tesseract-ocr tesseract-ocr-por``) that a deployment may lack; the
rest of the pipeline still works without them, so instead of failing we return a
result that says OCR was skipped and why. Availability is probed once per process.
"""

from __future__ import annotations

import functools
import time

import pytesseract
from PIL import Image, ImageOps
from pydantic import BaseModel, ConfigDict

from evodash.invoices.imaging import flatten_rgb

LANGUAGES = ("por", "eng")
_MIN_WIDTH = 1600  # Tesseract wants ~30 px capital letters; small photos are scaled up
_MAX_SCALE = 3.0


class OcrAvailability(BaseModel):
    model_config = ConfigDict(frozen=True)

    available: bool
    reason: str | None = None
    version: str | None = None
    languages: tuple[str, ...] = ()


class OcrText(BaseModel):
    """Raw OCR output; ``performed`` is False with ``skipped_reason`` when it did not run."""

    model_config = ConfigDict(frozen=True)

    performed: bool
    skipped_reason: str | None = None
    text: str = ""
    languages: str | None = None
    duration_ms: int = 0


@functools.cache
def tesseract_status() -> OcrAvailability:
    """Probe the binary and its languages once (cached for the process)."""
    try:
        version = str(pytesseract.get_tesseract_version())
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        return OcrAvailability(available=False, reason=f"tesseract is not installed ({exc})")
    except pytesseract.TesseractError as exc:
        return OcrAvailability(available=False, reason=f"tesseract does not run: {exc}")
    missing = [lang for lang in LANGUAGES if lang not in installed]
    if missing:
        return OcrAvailability(
            available=False,
            reason=f"tesseract language data missing: {', '.join(missing)}",
            version=version,
        )
    return OcrAvailability(available=True, version=version, languages=LANGUAGES)


def tesseract_available() -> bool:
    """True when Tesseract and the ``por`` and ``eng`` languages are installed."""
    return tesseract_status().available


def preprocess(image: Image.Image) -> Image.Image:
    """Grayscale, contrast stretched, and scaled up when the image is small."""
    gray = ImageOps.autocontrast(flatten_rgb(image).convert("L"), cutoff=1)
    if gray.width < _MIN_WIDTH:
        scale = min(_MIN_WIDTH / gray.width, _MAX_SCALE)
        size = (round(gray.width * scale), round(gray.height * scale))
        gray = gray.resize(size, Image.Resampling.LANCZOS)
    return gray


def run_ocr(image: Image.Image, *, timeout_s: float = 60.0) -> OcrText:
    """Read the text of ``image``; never raises for a missing or failing Tesseract."""
    status = tesseract_status()
    if not status.available:
        return OcrText(performed=False, skipped_reason=status.reason)
    langs = "+".join(LANGUAGES)
    started = time.perf_counter()
    try:
        text = pytesseract.image_to_string(
            preprocess(image), lang=langs, config="--psm 3", timeout=timeout_s
        )
    except RuntimeError as exc:  # pytesseract's timeout
        return OcrText(performed=False, skipped_reason=f"OCR stopped: {exc}")
    except pytesseract.TesseractError as exc:
        return OcrText(performed=False, skipped_reason=f"OCR failed: {exc.message}")
    elapsed = round((time.perf_counter() - started) * 1000)
    return OcrText(performed=True, text=str(text), languages=langs, duration_ms=elapsed)
