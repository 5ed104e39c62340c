"""The allow-list: which phone numbers may trigger processing (DESIGN §4, CONTRACT §11.3-11.4).

Two lists make one: the global ``ALLOWED_PHONE_NUMBERS`` setting plus the instance's own
``allowed_numbers``. **When both are empty everyone is allowed.** Entries and senders are
normalized with ``phonenumbers`` to E.164 and compared as *sets of variants*, so these are
all one number:

* ``+55 11 98765-4321``, ``5511987654321``, ``(11) 98765-4321`` (national, default region)
* ``5511987654321@s.whatsapp.net`` and ``5511987654321:12@s.whatsapp.net`` (device suffix)
* Brazilian mobiles with and without the ninth digit (``553187654321`` ==
  ``5531987654321``): WhatsApp keeps the old 8-digit form for many accounts.
* Mexican ``521…``/``52…`` and Argentinian ``549…``/``54…`` mobile prefixes.

A sender known only by its ``@lid`` (a privacy id, not a phone number) is resolved through
the alternate JID fields of the message key (:func:`evodash.evolution.messages.resolve_sender`);
if none carries a phone number the sender is unknown and is blocked unless the allow-list
is empty.

:func:`normalize_number` is evodash's one phone normaliser: allow-list entries, senders,
recipients and the instances' own numbers all go through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
import structlog

from evodash.evolution.numbers import phone_from_jid

log = structlog.get_logger(__name__)

_SEPARATORS = str.maketrans("", "", " .-()/\t")

# Brazilian mobiles got a leading 9 (2012-2016): 55 + DDD + 9 + the old 8 digits, which
# started with 6, 7, 8 or 9. Only such numbers have an 8-digit twin; a 9 followed by any
# other digit (+55 11 9 1111-1111) is not a mobile with its ninth digit, and 55 11 1111-1111
# (a landline range) is another number entirely.
_BR_OLD_MOBILE_FIRST = "6789"


def _with_br_ninth_digit(digits: str) -> str:
    # 55 + DDD (2) + 8 digits starting 6-9 is a mobile written without its ninth digit.
    if len(digits) == 12 and digits.startswith("55") and digits[4] in _BR_OLD_MOBILE_FIRST:
        return digits[:4] + "9" + digits[4:]
    return digits


def _without_br_ninth_digit(digits: str) -> str | None:
    if (
        len(digits) == 13
        and digits.startswith("55")
        and digits[4] == "9"
        and digits[5] in _BR_OLD_MOBILE_FIRST
    ):
        return digits[:4] + digits[5:]
    return None


@lru_cache(maxsize=4096)
def normalize_number(value: str, default_region: str = "BR") -> str | None:
    """Canonical E.164 (``+5511987654321``) of a number, JID or national number.

    Returns ``None`` for things that are not phone numbers (``@lid``, groups, garbage).
    Brazilian mobiles are returned *with* the ninth digit.
    """
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw:
        return None
    if "@" in raw:
        digits = phone_from_jid(raw)
        if digits is None:
            return None
        text, region = "+" + digits, None
    else:
        compact = raw.translate(_SEPARATORS)
        if compact.startswith("00"):
            compact = "+" + compact[2:]
        if compact.startswith("+"):
            text, region = compact, None
        else:
            text, region = compact, default_region.upper()
    if not text.lstrip("+").isdigit():
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    digits = _with_br_ninth_digit(f"{parsed.country_code}{parsed.national_number}")
    if not 8 <= len(digits) <= 15:
        return None
    try:
        reparsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(reparsed):
        return None
    return "+" + digits


def variants(e164: str) -> frozenset[str]:
    """Every way WhatsApp may write the same number (digits without ``+``)."""
    digits = e164.lstrip("+")
    found = {digits}
    if (short := _without_br_ninth_digit(digits)) is not None:
        found.add(short)
    elif digits.startswith("55") and len(digits) == 12:
        found.add(_with_br_ninth_digit(digits))
    if digits.startswith("521") and len(digits) == 13:
        found.add("52" + digits[3:])
    elif digits.startswith("52") and len(digits) == 12:
        found.add("521" + digits[2:])
    if digits.startswith("549") and len(digits) == 13:
        found.add("54" + digits[3:])
    elif digits.startswith("54") and len(digits) == 12:
        found.add("549" + digits[2:])
    return frozenset(found)


def normalize_entries(
    entries: Iterable[str], default_region: str = "BR"
) -> tuple[list[str], list[str]]:
    """Normalize allow-list entries: ``(sorted unique E.164 numbers, invalid entries)``."""
    valid: set[str] = set()
    invalid: list[str] = []
    for entry in entries:
        number = normalize_number(entry, default_region)
        if number is None:
            invalid.append(entry)
        else:
            valid.add(number)
    return sorted(valid), invalid


@lru_cache(maxsize=64)
def _variant_set(entries: tuple[str, ...], default_region: str) -> frozenset[str]:
    numbers, invalid = normalize_entries(entries, default_region)
    if invalid:
        log.warning("allowlist.invalid_entries", entries=invalid)
    found: set[str] = set()
    for number in numbers:
        found |= variants(number)
    return frozenset(found)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "empty_list" | "listed" | "not_listed" | "unresolved"


def decide(
    phone: str | None,
    *,
    global_entries: Iterable[str],
    instance_entries: Iterable[str],
    default_region: str = "BR",
) -> Decision:
    """Whether ``phone`` (canonical E.164 or ``None``) may trigger processing."""
    allowed = _variant_set(tuple(global_entries), default_region) | _variant_set(
        tuple(instance_entries), default_region
    )
    if not allowed:
        return Decision(True, "empty_list")
    if phone is None:
        return Decision(False, "unresolved")
    if variants(phone) & allowed:
        return Decision(True, "listed")
    return Decision(False, "not_listed")


def log_decision(decision: Decision, *, instance_id: int, instance: str, number: str) -> None:
    """One structured log line per decision: ``phone.authorized`` or ``phone.blocked``."""
    name = "phone.authorized" if decision.allowed else "phone.blocked"
    log.info(
        name, instance_id=instance_id, instance=instance, number=number, reason=decision.reason
    )
