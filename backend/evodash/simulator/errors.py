"""Evolution's error envelope ``{"status", "error", "response": {"message"}}`` (CONTRACT §3).

``message`` keeps whatever type the real server uses for that error: a plain string for
401 and runtime errors, a list of strings for most 4xx, a list holding one list for schema
validation failures.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse


class EvolutionJSONResponse(JSONResponse):
    """Compact JSON exactly like Express' ``res.json`` (no spaces, UTF-8)."""

    media_type = "application/json; charset=utf-8"

    def init_headers(self, headers: Any = None) -> None:
        super().init_headers(headers)
        self.raw_headers.append((b"x-powered-by", b"Express"))

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class EvolutionError(Exception):
    """An error the real server answers with its standard envelope."""

    def __init__(self, status: int, message: Any, *, error: str | None = None) -> None:
        super().__init__(f"{status}: {message!r}")
        self.status = status
        self.message = message
        self.error = error or reason_phrase(status)

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "error": self.error, "response": {"message": self.message}}


class RawEvolutionError(Exception):
    """An error answered with an arbitrary body (``whatsappNumbers`` skips the wrapper)."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body!r}")
        self.status = status
        self.body = body


def unauthorized() -> EvolutionError:
    return EvolutionError(401, "Unauthorized")


def instance_not_found(name: str) -> EvolutionError:
    return EvolutionError(404, [f'The "{name}" instance does not exist'])


def bad_request(*messages: str) -> EvolutionError:
    return EvolutionError(400, list(messages))


def internal(message: str) -> EvolutionError:
    return EvolutionError(500, message)


def route_not_found(method: str, raw_path: str) -> EvolutionError:
    return EvolutionError(404, [f"Cannot {method} {raw_path}"])
