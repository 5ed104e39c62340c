"""Structured logging with structlog.

Readable console lines by default, one JSON object per line with ``LOG_FORMAT=json``.
The request middleware binds ``request_id`` into contextvars so every line of a request
carries it, including lines from the standard library and uvicorn.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from evodash.core.urls import scrub

_configured = False


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub_value(v) for v in value)
    return value


def scrub_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: no credential query value or URL password reaches a log line
    (``?token=``, ``?ticket=``, ``?apikey=``, ``user:pw@``; see ``core.urls.scrub``)."""
    return {k: _scrub_value(v) for k, v in event_dict.items()}


class ScrubFilter(logging.Filter):
    """The same for standard-library records (uvicorn's ``"WebSocket /api/ws?token=…"``
    lines, its access log, httpx errors) before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args or isinstance(record.msg, str):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a broken format string: leave it be
                return True
            cleaned = scrub(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


def configure_logging(fmt: str = "console", level: str = "INFO", *, cache: bool = True) -> None:
    """``cache``: bind each logger once, on first use (faster; off in tests, where
    ``structlog.testing.capture_logs`` must reach loggers already used)."""
    global _configured
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: Any
    if fmt == "json":
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()
    else:
        # Plain tracebacks: with `rich` installed structlog would pretty-print every local
        # of every frame, which takes minutes on the event loop for a large request body.
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    shared.append(scrub_secrets)

    structlog.configure(
        # Level first: a disabled line (a webhook's access line at WARNING) costs nothing.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=cache,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(ScrubFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # Our middleware logs each request; uvicorn's access line would only repeat it. Should
    # someone turn it on again, it goes through the scrubbing handler like the rest.
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False
    logging.getLogger("uvicorn.access").addFilter(ScrubFilter())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    _configured = True
