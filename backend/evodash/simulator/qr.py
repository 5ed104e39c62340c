"""QR codes and pairing codes that look like WhatsApp Web's (and really scan)."""

from __future__ import annotations

import base64
import io
import secrets

import segno

#: Baileys' ``bytesToCrockford`` alphabet: no 0, I, O or U.
PAIRING_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"
#: ``QRCODE_COLOR`` of the recommended setup.
QR_COLOR = "#175197"


def _b64(n: int) -> str:
    return base64.b64encode(secrets.token_bytes(n)).decode("ascii")


def new_qr_code() -> str:
    """``2@<ref>,<noise key>,<identity key>,<adv secret>`` like a WhatsApp Web QR payload."""
    ref = "2@" + base64.b64encode(secrets.token_bytes(48)).decode("ascii").rstrip("=")
    return ",".join((ref, _b64(32), _b64(32), _b64(32)))


def qr_png_data_url(code: str, mask: int | None = None) -> str:
    """The PNG data URL Evolution builds (``qrcode.toDataURL``, margin 3, scale 4, level H).

    The mask is picked at random (unless given) instead of scored: scoring all eight costs
    ~130 ms of pure Python on the event loop, and any mask gives a valid, scannable code.
    """
    if mask is None:
        mask = secrets.randbelow(8)
    out = io.BytesIO()
    segno.make(code, error="h", micro=False, mask=mask).save(
        out, kind="png", scale=4, border=3, dark=QR_COLOR, light="#ffffff"
    )
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def new_pairing_code() -> str:
    """8 characters from 40 random bits, like Baileys' ``requestPairingCode``."""
    value = int.from_bytes(secrets.token_bytes(5), "big")
    return "".join(PAIRING_ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
