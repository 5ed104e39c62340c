"""Sending one call to an Evolution server and turning every outcome into data or a domain error.

:class:`Transport` owns the HTTP details the endpoint methods of
:class:`~evodash.evolution.client.EvolutionClient` should not repeat: the ``apikey``
header, per-call timeouts, retries of idempotent reads, logging, JSON decoding, the error
envelope, the 200 ``{"error": true}`` quirk, and validation into wire models. Nothing
from httpx, :mod:`json` or pydantic leaves it except as an
:class:`~evodash.evolution.errors.EvolutionError`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import structlog
from pydantic import BaseModel, ValidationError

from evodash.core import metrics
from evodash.core.outbound import Answer, ResponseTooLarge, ResponseTooSlow, request_limited
from evodash.core.retry import backoff_seconds
from evodash.evolution.errors import (
    EvolutionConflict,
    EvolutionError,
    EvolutionNotFound,
    EvolutionRejected,
    EvolutionTimeout,
    EvolutionUnauthorized,
    EvolutionUnexpectedAnswer,
    EvolutionUnreachable,
    flatten_message,
    shorten,
)

log = structlog.get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
Sleep = Callable[[float], Awaitable[None]]

#: Longest wait between two attempts of a read.
MAX_RETRY_DELAY = 5.0
#: Byte cap of an answer; the media download sets its own (base64 of MAX_IMAGE_BYTES).
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024

# Express answers unknown routes and wrong methods with 404 "Cannot PUT /…": that is a
# wrong base URL or server version, not a missing instance.
_ROUTE_MISSING = re.compile(r"^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /")
# What a reverse proxy answers when Evolution behind it is down.
_PROXY_DOWN = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Call:
    """One logical call: what to send, how long to wait, and whether a retry is safe.

    ``action`` completes "Evolution could not …" in error messages; ``error_hint`` is
    added to the 200 ``{"error": true}`` error, whose own message says nothing.
    """

    method: str
    path: str
    action: str
    read_timeout: float
    params: Mapping[str, str] | None = None
    body: Any = None
    retry: bool = False
    allow_empty: bool = False
    error_hint: str = ""
    #: Byte cap of the answer (None: the transport's default).
    max_bytes: int | None = None


class Transport:
    """HTTP to one Evolution server with one key, over the app's shared client."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        api_key: str,
        *,
        connect_timeout: float,
        read_retries: int,
        retry_base_delay: float,
        sleep: Sleep,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._http = http
        self.base_url = base_url.strip().rstrip("/")
        self.server = redacted(self.base_url)
        self._headers = {"Accept": "application/json"}
        if api_key:
            self._headers["apikey"] = api_key
        self._connect_timeout = connect_timeout
        self._read_retries = max(0, read_retries)
        self._retry_base_delay = retry_base_delay
        self._sleep = sleep
        self._max_bytes = max_response_bytes

    async def request(self, call: Call) -> Any:
        """Send ``call`` (retrying reads) and return its decoded JSON body."""
        attempts = 1 + (self._read_retries if call.retry else 0)
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                response = await self._send(call, attempt)
            except (EvolutionUnreachable, EvolutionTimeout):
                if last:
                    raise
            else:
                if response.status_code < 500 or last:
                    return self._decode(response, call)
            # The shared policy, without jitter: these retries are inside one caller's wait.
            await self._sleep(
                backoff_seconds(attempt, base=self._retry_base_delay, cap=MAX_RETRY_DELAY, jitter=0)
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def parse(self, model: type[M], data: Any, call: Call) -> M:
        """Validate an answer into ``model``; a wrong shape is an unexpected answer."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise self._unexpected(call, f"wrong data ({_summarize(exc)})") from exc

    async def _send(self, call: Call, attempt: int) -> Answer:
        timeout = httpx.Timeout(call.read_timeout, connect=self._connect_timeout)
        # httpx's read timeout is per chunk: a server dripping a byte at a time never
        # trips it. The whole exchange gets one deadline as well.
        total = self._connect_timeout + call.read_timeout
        max_bytes = call.max_bytes or self._max_bytes
        fields: dict[str, Any] = {
            "server": self.server,
            "method": call.method,
            "path": call.path,
            "attempt": attempt,
        }
        started = time.perf_counter()
        try:
            response = await request_limited(
                self._http,
                call.method,
                self.base_url + call.path,
                params=call.params,
                json=call.body,
                headers=self._headers,
                timeout=timeout,
                max_bytes=max_bytes,
                total_timeout=total,
            )
        except ResponseTooLarge as exc:
            _log_failure(fields, started, exc)
            metrics.count_evolution(self.server, "too_large")
            raise self._unexpected(call, str(exc)) from exc
        except (httpx.TimeoutException, ResponseTooSlow) as exc:
            _log_failure(fields, started, exc)
            metrics.count_evolution(self.server, "timeout")
            if isinstance(exc, httpx.ConnectTimeout):
                what = f"accept a connection within {self._connect_timeout:g} s"
            elif isinstance(exc, ResponseTooSlow):
                what = f"answer completely within {total:g} s (total time limit)"
            else:
                what = f"answer within {call.read_timeout:g} s"
            raise EvolutionTimeout(
                f"The Evolution server at {self.server} did not {what} (trying to {call.action})."
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            _log_failure(fields, started, exc)
            metrics.count_evolution(self.server, "unreachable")
            raise EvolutionUnreachable(
                f"Cannot reach the Evolution server at {self.server}: {_reason(exc)}."
            ) from exc
        status = response.status_code
        metrics.count_evolution(self.server, metrics.evolution_outcome(status))
        (log.info if status < 400 else log.warning)(
            "evolution.response", **fields, status=status, elapsed_ms=_elapsed_ms(started)
        )
        return response

    def _decode(self, response: Answer, call: Call) -> Any:
        """The JSON body of a 2xx answer, or the domain error the answer stands for."""
        status = response.status_code
        content = response.content.strip()
        if not 200 <= status < 300:
            raise self._error_for(status, _json_or_none(content), call)
        if not content or content == b"null":
            if call.allow_empty:
                return None
            empty = "an empty body" if not content else "null"
            raise self._unexpected(call, f"{empty} (HTTP {status})", status)
        data = _json_or_none(content)
        if data is None:
            kind = response.headers.get("content-type", "no content type")
            raise self._unexpected(call, f"a body that is not JSON (HTTP {status}, {kind})", status)
        if isinstance(data, dict) and data.get("error") is True:
            # connect/restart report their own failures as 200 {"error": true, ...}.
            message = shorten(flatten_message(data.get("message")))
            raise EvolutionRejected(
                f"Evolution could not {call.action}: it reported an error without "
                f"details ({message or 'no message'}). {call.error_hint}".rstrip(),
                evolution_status=status,
                evolution_message=message,
            )
        return data

    def _error_for(self, status: int, body: Any, call: Call) -> EvolutionError:
        message = _envelope_message(body)
        if status == 401:
            return EvolutionUnauthorized(
                f"The Evolution server at {self.server} rejected the API key (HTTP 401). "
                "Check the API key configured for this server.",
                evolution_status=status,
                evolution_message=message,
            )
        if message is None:
            if status in _PROXY_DOWN:
                return EvolutionUnreachable(
                    f"The Evolution server at {self.server} is unavailable "
                    f"(HTTP {status} without an Evolution answer).",
                    evolution_status=status,
                )
            return self._unexpected(call, f"HTTP {status} without an Evolution message", status)
        if status == 404 and _ROUTE_MISSING.match(message):
            what = (
                f"unknown route (HTTP 404 {message!r}); check the base URL and that the "
                "server runs Evolution API v2"
            )
            return self._unexpected(call, what, status, message)
        if status == 404:
            return EvolutionNotFound(
                f"{message.rstrip('.')} on the Evolution server.",
                evolution_status=status,
                evolution_message=message,
            )
        if status == 403 and "already in use" in message:
            return EvolutionConflict(
                f"{message.rstrip('.')} on the Evolution server.",
                evolution_status=status,
                evolution_message=message,
            )
        return EvolutionRejected(
            f"Evolution could not {call.action}: {message or f'HTTP {status}'}",
            evolution_status=status,
            evolution_message=message,
        )

    def _unexpected(
        self, call: Call, what: str, status: int | None = None, message: str | None = None
    ) -> EvolutionUnexpectedAnswer:
        return EvolutionUnexpectedAnswer(
            f"The Evolution server at {self.server} gave an unexpected answer to "
            f"{call.method} {call.path}: {what}.",
            evolution_status=status,
            evolution_message=message,
        )


def redacted(url: str) -> str:
    """``url`` without user info, query or fragment: safe for messages and logs."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    netloc = parts.hostname or ""
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _log_failure(fields: dict[str, Any], started: float, exc: Exception) -> None:
    log.warning(
        "evolution.request_failed",
        **fields,
        error=type(exc).__name__,
        elapsed_ms=_elapsed_ms(started),
    )


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


def _envelope_message(body: Any) -> str | None:
    """The flattened ``message`` of an Evolution error body, ``None`` if it is not one."""
    if not isinstance(body, dict):
        return None
    response = body.get("response")
    if isinstance(response, dict) and "message" in response:
        return shorten(flatten_message(response["message"]))
    # whatsappNumbers-style errors carry ``message`` without the ``response`` wrapper.
    if "message" in body and ("error" in body or "status" in body):
        return shorten(flatten_message(body["message"]))
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"the base URL is not valid ({exc})"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({str(exc) or 'connection refused'})"
    return f"{type(exc).__name__} {exc}".strip()


def _summarize(exc: ValidationError, limit: int = 3) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    parts = [
        f"{'.'.join(str(p) for p in error['loc']) or 'body'}: "
        # pydantic names our private wire classes here; say what JSON was expected.
        + ("Input should be an object" if error["type"] == "model_type" else error["msg"])
        for error in errors[:limit]
    ]
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)
