"""Reading JSON that comes from outside into something every database stores and every
page can show again: the one place where such content is cleaned.

PostgreSQL refuses three things that are ordinary in WhatsApp text and that SQLite keeps:
a NUL character (``\\u0000``), a lone UTF-16 surrogate (``\\ud83d`` without its pair,
from a cut emoji) and the non-JSON numbers ``NaN``/``Infinity``. :func:`decode` replaces
the first two with U+FFFD (the replacement character) and the numbers with ``null``, so
the event is stored, shown and replayed like any other instead of failing with a 500.

It also refuses JSON nested deeper than a limit before anything is stored: Python's
parser and encoder recurse, so a body nested a thousand levels deep would otherwise be
stored and then break every page that shows it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

REPLACEMENT = "\ufffd"
#: Escapes that decode into what PostgreSQL refuses (NUL, surrogates); cheap to look for.
_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class MalformedJson(ValueError):
    """Not JSON at all; the message says where."""


class TooDeep(ValueError):
    """Nested deeper than allowed."""


def _clean_text(value: str) -> str:
    return _BAD_TEXT.sub(REPLACEMENT, value) if _BAD_TEXT.search(value) else value


def sanitize(value: Any) -> Any:
    """``value`` with NUL and lone surrogates replaced in every string (keys included) and
    non-finite numbers turned into ``None``. Iterative: depth is no problem here."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        parent, key = stack.pop()
        item = parent[key]
        if isinstance(item, str):
            parent[key] = _clean_text(item)
        elif isinstance(item, float):
            if not math.isfinite(item):
                parent[key] = None
        elif isinstance(item, dict):
            cleaned = {_clean_text(k): v for k, v in item.items()}
            parent[key] = cleaned
            stack.extend((cleaned, k) for k in cleaned)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
    return root[0]


def depth(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays (a scalar is 0)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
            deepest = max(deepest, level + 1)
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
            deepest = max(deepest, level + 1)
    return deepest


def _stdlib(raw: bytes) -> Any:
    """The standard parser: accepts ``NaN`` and lone surrogates, and says where it failed."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedJson(f"it is not UTF-8 ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise MalformedJson(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc


def decode(raw: bytes, *, max_depth: int) -> Any:
    """Parse ``raw``; :class:`MalformedJson` or :class:`TooDeep` if it cannot be stored."""
    if not raw.strip():
        raise MalformedJson("the body is empty")
    # An object or array per level: fewer brackets than the limit cannot nest too deep.
    brackets = raw.count(b"{") + raw.count(b"[")
    suspect = False
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            value = _stdlib(raw)
        except RecursionError as exc:
            raise TooDeep(f"it nests deeper than {max_depth} levels") from exc
        suspect = True  # NaN, Infinity or a lone surrogate made the fast parser refuse it
    if brackets > max_depth and depth(value) > max_depth:
        raise TooDeep(f"it nests deeper than {max_depth} levels")
    if suspect or _SUSPECT.search(raw):
        value = sanitize(value)
    return value
