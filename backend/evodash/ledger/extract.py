"""The ledger's fields from a job's stored result (the JSON form of ``InvoiceResult``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def fields_from_result(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """The invoice's columns, or None when the image held no invoice field."""
    if not isinstance(result, dict):
        return None
    summary = result.get("summary") or {}
    pix = result.get("pix") or {}
    amount = None
    try:
        if summary.get("amount") is not None:
            amount = Decimal(str(summary["amount"])).quantize(Decimal("0.01"))
    except InvalidOperation:
        amount = None
    due = None
    if summary.get("due_date"):
        try:
            due = date.fromisoformat(str(summary["due_date"])[:10])
        except ValueError:
            due = None
    txid = pix.get("txid") if isinstance(pix, dict) else None
    values = {
        "amount": amount,
        "due_date": due,
        "beneficiary": _text(summary.get("beneficiary"), 200),
        "cnpj": _text(summary.get("cnpj"), 32),
        "pix_key": _text(summary.get("pix_key"), 100),
        # "***" is PIX's "no transaction id": it cannot mark two payments as one.
        "pix_txid": _text(txid, 64) if txid and txid != "***" else None,
        "typeable_line": _text(summary.get("typeable_line"), 64),
    }
    if not any(
        (
            values["amount"],
            values["due_date"],
            values["pix_key"],
            values["typeable_line"],
            values["cnpj"],
        )
    ):
        return None
    return values
