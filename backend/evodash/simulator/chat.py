"""``POST /chat/findMessages/{instance}`` as 2.3.6 answers it (CONTRACT-chat.md).

Its pitfalls are reproduced on purpose, since evodash must cope with them: the time
filter takes ISO strings or epoch *milliseconds* (seconds land in 1970 and match
nothing) and is dropped without a word unless both ``gte`` and ``lte`` are given;
``offset`` is the page size; records come newest first with no tie-breaker; ``fromMe:
false`` filters nothing; values Prisma cannot take are a 500.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from evodash.simulator.errors import EvolutionError
from evodash.simulator.messages import SENT_PUSH_NAME, digits
from evodash.simulator.state import Instance, StoredMessage

DEFAULT_PAGE_SIZE = 50
_PRISMA_COUNT = (
    "Invalid `this.prismaRepository.message.count()` invocation in … (a long Prisma error "
    "with the server's internal code; elided)"
)
_KEY_FIELDS = ("id", "remoteJid", "remoteJidAlt", "participant")


def _prisma_error() -> EvolutionError:
    return EvolutionError(500, _PRISMA_COUNT)


def _js_date_seconds(value: Any) -> int:
    """``Math.floor(new Date(value).getTime() / 1000)``; an invalid date is Prisma's 500."""
    if isinstance(value, bool) or value is None:
        raise _prisma_error()
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise _prisma_error()
        return math.floor(value / 1000)
    if not isinstance(value, str):
        raise _prisma_error()
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _prisma_error() from None
    if parsed.tzinfo is None:  # no zone: the server's local time, UTC on the recordings
        parsed = parsed.replace(tzinfo=UTC)
    return math.floor(parsed.timestamp())


def _time_range(where: dict[str, Any]) -> tuple[int, int] | None:
    bounds = where.get("messageTimestamp")
    if not isinstance(bounds, dict) or "gte" not in bounds or "lte" not in bounds:
        return None  # one bound, or gt/lt: the filter is silently dropped
    return _js_date_seconds(bounds["gte"]), _js_date_seconds(bounds["lte"])


def _positive(value: Any, default: int) -> int:
    """A page or page size as the controller reads it (a JS number, coerced)."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise _prisma_error()
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _prisma_error() from None
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise _prisma_error()
    return int(value) or default


def _matches(stored: StoredMessage, where: dict[str, Any], span: tuple[int, int] | None) -> bool:
    data = stored.data
    for field in ("id", "messageType", "source"):
        if field in where and where[field] is not None:
            actual = stored.db_id if field == "id" else data.get(field)
            if actual != where[field]:
                return False
    key_filter = where.get("key")
    if isinstance(key_filter, dict):
        key = data["key"]
        for field in _KEY_FIELDS:
            wanted = key_filter.get(field)
            if wanted and key.get(field) != wanted:
                return False
        if key_filter.get("fromMe") is True and key.get("fromMe") is not True:
            return False
    if span is not None:
        ts = int(data.get("messageTimestamp") or 0)
        if not span[0] <= ts <= span[1]:
            return False
    return True


def _push_name(stored: StoredMessage) -> Any:
    data = stored.data
    name = data.get("pushName")
    if name:
        return name
    if stored.from_me:
        return SENT_PUSH_NAME
    context = data.get("contextInfo") or {}
    participant = context.get("participant") or data["key"].get("participant")
    return digits(participant.split("@")[0]) if participant else name


def record(instance: Instance, stored: StoredMessage) -> dict[str, Any]:
    """One record: the stored row with a fixed field list (no ``status`` column)."""
    data = stored.data
    return {
        "id": stored.db_id,
        "key": data["key"],
        "pushName": _push_name(stored),
        "messageType": data.get("messageType"),
        "message": data.get("message"),
        "messageTimestamp": data.get("messageTimestamp"),
        "instanceId": instance.id,
        "source": data.get("source"),
        "contextInfo": data.get("contextInfo"),
        "MessageUpdate": [{"status": s} for s in stored.updates],
    }


def find_messages(instance: Instance, body: Any) -> dict[str, Any]:
    """The answer to a body that passed the schema (a non-object body filters nothing)."""
    if not isinstance(body, dict):
        body = {}
    where = body.get("where") if isinstance(body.get("where"), dict) else {}
    span = _time_range(where)
    size = _positive(body.get("offset"), DEFAULT_PAGE_SIZE)
    page = _positive(body.get("page"), 1)
    hits = [m for m in instance.messages.values() if _matches(m, where, span)]
    # Newest first. The server has no tie-breaker; the latest stored goes first here.
    hits.sort(key=lambda m: (int(m.data.get("messageTimestamp") or 0), m.seq), reverse=True)
    total = len(hits)
    start = (page - 1) * size
    return {
        "messages": {
            "total": total,
            "pages": math.ceil(total / size) if total else 0,
            "currentPage": body.get("page", 1),
            "records": [record(instance, m) for m in hits[start : start + size]],
        }
    }
