"""Domain errors of the Evolution API client, and the error-envelope message flattener.

Every failure of a call to an Evolution server becomes one of the classes below. Each is
an :class:`EvolutionError` (catch that to handle "anything Evolution") and also a
subclass of the matching :mod:`evodash.core.errors` class, so the API's one error handler
renders it with the right HTTP status:

==============================  ====  ==================================================
class                           HTTP  when
==============================  ====  ==================================================
``EvolutionUnreachable``        502   connection refused, DNS failure, broken connection,
                                      or a proxy answering 502/503/504 without Evolution
``EvolutionTimeout``            504   no connection or no answer within the timeout
``EvolutionUnauthorized``       502   the server rejected *our* API key (401): a
                                      configuration problem, not the user's session
``EvolutionNotFound``           404   the instance does not exist on that server
``EvolutionConflict``           409   create: the instance name is already in use (403)
``EvolutionRejected``           502   Evolution answered an error with a readable message
                                      (400s, its 500s, and the 200 ``{"error": true}``)
``EvolutionUnexpectedAnswer``   502   HTML, empty body, invalid JSON, wrong types,
                                      unknown route or unknown status
==============================  ====  ==================================================

Errors that come from an Evolution answer carry ``evolution_status`` and
``evolution_message`` in :attr:`AppError.extra` (and as attributes); nothing else about
the request (and never a key or token) is put in an error.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from evodash.core.errors import AppError, Conflict, NotFound, UpstreamError, UpstreamTimeout

__all__ = [
    "EvolutionConflict",
    "EvolutionError",
    "EvolutionNotFound",
    "EvolutionRejected",
    "EvolutionTimeout",
    "EvolutionUnauthorized",
    "EvolutionUnexpectedAnswer",
    "EvolutionUnreachable",
    "flatten_message",
]

#: Longest ``evolution_message`` kept in an error (Prisma errors run to many lines).
MAX_MESSAGE_CHARS = 1000


class EvolutionError(AppError):
    """Base class of every failure of a call to an Evolution server."""

    status_code: ClassVar[int] = 502
    code: ClassVar[str] = "evolution_error"

    def __init__(
        self,
        detail: str,
        *,
        evolution_status: int | None = None,
        evolution_message: str | None = None,
    ) -> None:
        extra: dict[str, Any] = {}
        if evolution_status is not None:
            extra["evolution_status"] = evolution_status
        if evolution_message is not None:
            extra["evolution_message"] = evolution_message
        super().__init__(detail, extra=extra)
        self.evolution_status = evolution_status
        self.evolution_message = evolution_message


class EvolutionUnreachable(EvolutionError, UpstreamError):
    status_code: ClassVar[int] = 502
    code: ClassVar[str] = "evolution_unreachable"


class EvolutionTimeout(EvolutionError, UpstreamTimeout):
    status_code: ClassVar[int] = 504
    code: ClassVar[str] = "evolution_timeout"


class EvolutionUnauthorized(EvolutionError, UpstreamError):
    """The server refused the API key configured for it (global key or instance token)."""

    status_code: ClassVar[int] = 502
    code: ClassVar[str] = "evolution_unauthorized"


class EvolutionNotFound(EvolutionError, NotFound):
    status_code: ClassVar[int] = 404
    code: ClassVar[str] = "evolution_instance_not_found"


class EvolutionConflict(EvolutionError, Conflict):
    status_code: ClassVar[int] = 409
    code: ClassVar[str] = "evolution_conflict"


class EvolutionRejected(EvolutionError, UpstreamError):
    """Evolution refused the request and said why (``evolution_message``)."""

    status_code: ClassVar[int] = 502
    code: ClassVar[str] = "evolution_rejected"


class EvolutionUnexpectedAnswer(EvolutionError, UpstreamError):
    status_code: ClassVar[int] = 502
    code: ClassVar[str] = "evolution_unexpected_answer"


def flatten_message(obj: object) -> str:
    """Turn an Evolution ``response.message`` of any shape into one readable string.

    The field is a string, a list of strings, a list holding one list of strings (schema
    validation), a list of objects (``sendText`` to a number not on WhatsApp), or ``null``.
    Lists are flattened recursively and joined with ``"; "``; objects become JSON, except
    the documented ``{"jid", "exists": false, "number"}`` which reads as a sentence.
    """
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj.strip()
    if isinstance(obj, list | tuple):
        parts = (flatten_message(item) for item in obj)
        return "; ".join(part for part in parts if part)
    if isinstance(obj, dict):
        if obj.get("exists") is False and isinstance(obj.get("number"), str):
            return f"{obj['number']} is not on WhatsApp"
        return json.dumps(obj, ensure_ascii=False, default=str)
    if isinstance(obj, bool | int | float):
        return json.dumps(obj)
    return str(obj)


def shorten(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
