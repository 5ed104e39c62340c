"""How Evolution writes numbers: 64-bit integers in three encodings, phone numbers in JIDs.

The one integer decoder and the one JID reader of the code base; everything else gets
their results (typed events, wire models).
"""

from __future__ import annotations

from collections.abc import Mapping

#: JID suffixes that carry a phone number (``@lid`` is a privacy id, ``@g.us`` a group).
PHONE_SUFFIXES = ("@s.whatsapp.net", "@c.us")


def decode_int64(value: object) -> int | None:
    """Read a 64-bit integer in any encoding a 2.x server used; ``None`` if unreadable.

    ``48213`` (2.3.3 to 2.3.5), ``"48213"`` (≤ 2.3.2) or ``{"low", "high", "unsigned"}``
    (2.3.6, protobuf.js Long, CONTRACT §11.6). Booleans and fractional numbers are not
    integers.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    if isinstance(value, Mapping):
        low, high = value.get("low"), value.get("high")
        if not isinstance(low, int) or not isinstance(high, int):
            return None
        number = ((high & 0xFFFFFFFF) << 32) | (low & 0xFFFFFFFF)
        if not value.get("unsigned") and number >= 1 << 63:
            number -= 1 << 64
        return number
    return None


def plain_int(value: object) -> int | None:
    """A JSON integer as it is (status codes); anything else is ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def phone_from_jid(jid: object) -> str | None:
    """The digits of a phone-number JID (``5511987654321:12@s.whatsapp.net`` →
    ``5511987654321``, a linked device's suffix dropped); ``None`` for LIDs, groups…"""
    if not jid or not isinstance(jid, str):
        return None
    jid = jid.strip()
    for suffix in PHONE_SUFFIXES:
        if jid.endswith(suffix):
            local = jid[: -len(suffix)].split(":", 1)[0]
            return local if local.isdigit() else None
    return None
