"""Images the simulated contacts send: invoices drawn on demand, or bytes given as is.

The invoice drawing lives in ``evodash.invoices``; it is imported lazily so the simulator
starts even where that package (or its fonts) is missing.
"""

from __future__ import annotations

import importlib
import io
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PIL import Image, UnidentifiedImageError

from evodash.simulator.errors import EvolutionError

_MIMETYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
DEFAULT_AMOUNT = Decimal("157.90")
DEFAULT_CNPJ = "11222333000181"


@dataclass(slots=True)
class Picture:
    data: bytes
    mimetype: str
    width: int
    height: int
    thumbnail: bytes
    #: What was drawn (PIX payload, barcode, total, due date) for invoice-like images.
    details: dict[str, Any] = field(default_factory=dict)


def inspect_image(data: bytes, details: dict[str, Any] | None = None) -> Picture:
    """Size, MIME type and a small JPEG thumbnail (CPU-bound: call it in a thread)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or "JPEG"
            width, height = img.size
            thumb = img.convert("RGB")
            thumb.thumbnail((48, 48))
            out = io.BytesIO()
            thumb.save(out, format="JPEG", quality=50)
    except (UnidentifiedImageError, OSError) as exc:
        raise EvolutionError(400, ["The image bytes are not a readable image"]) from exc
    mimetype = _MIMETYPES.get(fmt, f"image/{fmt.lower()}")
    return Picture(data, mimetype, width, height, out.getvalue(), details or {})


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise EvolutionError(
            501, [f"{name} is not available, so invoice images cannot be drawn"]
        ) from exc


def render_invoice(
    kind: str,
    *,
    amount: Decimal | None,
    due_date: date | None,
    beneficiary: str | None = None,
    cnpj: str | None = None,
) -> Picture:
    """Draw a ``pix``, ``boleto`` or ``invoice`` (both, with printed totals) image."""
    render = _module("evodash.invoices.render")
    total = amount if amount is not None else DEFAULT_AMOUNT
    due = due_date or date.today() + timedelta(days=7)
    details: dict[str, Any] = {"kind": kind, "amount": str(total)}
    kwargs: dict[str, Any] = {}
    if beneficiary:
        kwargs["beneficiary"] = beneficiary
    if kind in ("pix", "invoice"):
        pix = _module("evodash.invoices.pix")
        payload = pix.build_pix_payload(
            str(uuid.uuid4()),
            beneficiary or "Acme Servicos Ltda",
            "Sao Paulo",
            total,
            "SIM" + secrets.token_hex(8).upper(),
        )
        kwargs["pix_payload"] = details["pixPayload"] = payload
    if kind in ("boleto", "invoice"):
        boleto = _module("evodash.invoices.boleto")
        free_field = "".join(secrets.choice("0123456789") for _ in range(25))
        barcode = boleto.build_barcode("341", total, due, free_field)
        kwargs["boleto_barcode"] = details["boletoBarcode"] = barcode
        kwargs["due_date"] = due
        details["dueDate"] = due.isoformat()
    if kind == "invoice":
        kwargs["total"] = total
        kwargs["cnpj"] = details["cnpj"] = cnpj or DEFAULT_CNPJ
        kwargs["due_date"] = due
    data: bytes = render.render_invoice_image(**kwargs)
    return inspect_image(data, details)
