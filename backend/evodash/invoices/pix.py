"""PIX BR Code ("copia e cola") parsing and building.

A BR Code is an EMV Merchant-Presented QR payload: a flat list of TLV fields (two-digit
id, two-digit length, value), some of which nest further TLV lists, ending with field 63
holding a CRC16-CCITT of everything before its value. We check the CRC first, because a
payload that fails it was misread or tampered with and none of its fields can be trusted.

Reference: Banco Central do Brasil, "Manual de Padrões para Iniciação do Pix" (BR Code).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict

from evodash.invoices.cnpj import is_valid_cnpj, is_valid_cpf
from evodash.invoices.errors import InvalidPix

PIX_GUI = "br.gov.bcb.pix"
_MAX_NAME = 25
_MAX_CITY = 15
_MAX_TXID = 25
_AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
_TXID_RE = re.compile(r"^[A-Za-z0-9]{1,25}$")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

_INITIATION: dict[str, Literal["static", "dynamic"]] = {"11": "static", "12": "dynamic"}

PixKeyType = Literal["cpf", "cnpj", "phone", "email", "evp", "unknown"]


class PixPayload(BaseModel):
    """The fields of a PIX BR Code that matter to someone paying it."""

    model_config = ConfigDict(frozen=True)

    payload: str
    payload_format: str
    point_of_initiation: Literal["static", "dynamic"] | None
    key: str | None
    key_type: PixKeyType | None
    description: str | None
    url: str | None
    merchant_category_code: str
    currency: str
    amount: Decimal | None
    country: str
    merchant_name: str
    merchant_city: str
    postal_code: str | None
    txid: str | None
    crc: str

    @property
    def is_dynamic(self) -> bool:
        """Dynamic codes carry a URL to fetch the charge from instead of a key."""
        return self.url is not None


def crc16_ccitt(data: bytes) -> int:
    """CRC16-CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) as the BR Code requires."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _crc_hex(payload_without_crc: str) -> str:
    return f"{crc16_ccitt(payload_without_crc.encode('utf-8')):04X}"


def parse_tlv(data: str) -> list[tuple[str, str]]:
    """Split an EMV TLV string into ``(id, value)`` pairs, refusing any truncation."""
    fields: list[tuple[str, str]] = []
    pos = 0
    while pos < len(data):
        header = data[pos : pos + 4]
        if len(header) < 4 or not header.isdigit():
            raise InvalidPix(f"malformed BR Code: bad field header {header!r} at offset {pos}")
        tag, length = header[:2], int(header[2:])
        value = data[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise InvalidPix(f"malformed BR Code: field {tag} is truncated at offset {pos}")
        fields.append((tag, value))
        pos += 4 + length
    return fields


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise InvalidPix(f"BR Code field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def _check_crc(payload: str) -> None:
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise InvalidPix("not a PIX BR Code: it does not end with a CRC field (6304XXXX)")
    found = payload[-4:].upper()
    expected = _crc_hex(payload[:-4])
    if found != expected:
        raise InvalidPix(f"PIX BR Code CRC mismatch: expected {expected}, found {found}")


def classify_pix_key(key: str) -> PixKeyType:
    """Tell which of the five PIX key kinds a key is, so the summary can format it."""
    if _UUID_RE.match(key):
        return "evp"
    if "@" in key:
        return "email"
    if key.startswith("+") and key[1:].isdigit():
        return "phone"
    if key.isdigit() and len(key) == 11 and is_valid_cpf(key):
        return "cpf"
    if len(key) == 14 and is_valid_cnpj(key):
        return "cnpj"
    return "unknown"


def _parse_amount(raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    if not _AMOUNT_RE.match(raw):
        raise InvalidPix(f"PIX amount {raw!r} is not a decimal number like 123.45")
    try:
        return Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise InvalidPix(f"PIX amount {raw!r} is not a number") from exc


def _merchant_account(top: dict[str, str]) -> dict[str, str]:
    """Find the merchant account template (ids 26-51) whose GUI is the PIX one."""
    for tag in (f"{n:02d}" for n in range(26, 52)):
        if tag in top:
            sub = dict(parse_tlv(top[tag]))
            if sub.get("00", "").lower() == PIX_GUI:
                return sub
    raise InvalidPix(f"not a PIX BR Code: no merchant account with GUI {PIX_GUI}")


def parse_pix(payload: str) -> PixPayload:
    """Parse and verify a PIX BR Code; raise :class:`InvalidPix` with the reason otherwise."""
    payload = payload.strip()
    _check_crc(payload)
    fields = parse_tlv(payload)
    if not fields or fields[0] != ("00", "01"):
        raise InvalidPix("not a PIX BR Code: payload format indicator 00 must be '01' first")
    top = dict(fields)
    account = _merchant_account(top)
    missing = [tag for tag in ("52", "53", "58", "59", "60") if tag not in top]
    if missing:
        raise InvalidPix(f"PIX BR Code lacks mandatory field(s) {', '.join(missing)}")
    key = account.get("01")
    if key is None and "25" not in account:
        raise InvalidPix("PIX BR Code has neither a key (26.01) nor a URL (26.25)")
    extra = dict(parse_tlv(top["62"])) if "62" in top else {}
    initiation = _INITIATION.get(top.get("01", ""))
    return PixPayload(
        payload=payload,
        payload_format=top["00"],
        point_of_initiation=initiation,
        key=key,
        key_type=classify_pix_key(key) if key else None,
        description=account.get("02"),
        url=account.get("25"),
        merchant_category_code=top["52"],
        currency=top["53"],
        amount=_parse_amount(top.get("54")),
        country=top["58"],
        merchant_name=top["59"],
        merchant_city=top["60"],
        postal_code=top.get("61"),
        txid=extra.get("05"),
        crc=payload[-4:].upper(),
    )


def _ascii(text: str, limit: int) -> str:
    """Fold accents away: many bank apps reject non-ASCII names in static codes."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.split())[:limit]


def build_pix_payload(
    key: str,
    merchant_name: str,
    merchant_city: str,
    amount: Decimal | None = None,
    txid: str | None = None,
    *,
    description: str | None = None,
) -> str:
    """Build a valid static PIX BR Code (with its CRC) for tests and the simulator.

    Name and city are folded to ASCII and cut to 25 and 15 characters; ``txid`` defaults
    to ``***`` (the spec's "no identifier").
    """
    if not key or len(key) > 77:
        raise InvalidPix("PIX key must have between 1 and 77 characters")
    txid = txid or "***"
    if txid != "***" and not _TXID_RE.match(txid):
        raise InvalidPix("PIX txid must be 1-25 letters or digits")
    account = _tlv("00", PIX_GUI) + _tlv("01", key)
    if description:
        account += _tlv("02", description)
    parts = [_tlv("00", "01"), _tlv("26", account), _tlv("52", "0000"), _tlv("53", "986")]
    if amount is not None:
        value = amount.quantize(Decimal("0.01"))
        if value <= 0 or len(str(value)) > 13:
            raise InvalidPix(f"PIX amount {amount} must be positive and at most 13 characters")
        parts.append(_tlv("54", str(value)))
    parts += [
        _tlv("58", "BR"),
        _tlv("59", _ascii(merchant_name, _MAX_NAME) or "N/A"),
        _tlv("60", _ascii(merchant_city, _MAX_CITY) or "N/A"),
        _tlv("62", _tlv("05", txid)),
    ]
    body = "".join(parts) + "6304"
    return body + _crc_hex(body)
