"""index.html with each page's preload hints, so its code and data start with the HTML.

The SPA's build writes ``dist/route-hints.json`` (see ``frontend/src/app/route-hints.ts``):
for each route path, the page's chunks and everything they import that index.html does not
load already, its stylesheets, the API requests it makes first when its URL has no query
string (``data``) and those it makes whatever the query string (``session``: the session
check every page behind the login waits for). Serving index.html for ``/instances``, the
server adds::

    <link rel="modulepreload" crossorigin href="/assets/list-….js">
    <link rel="stylesheet" crossorigin href="/assets/shared-….css">
    <link rel="preload" as="fetch" crossorigin="use-credentials" href="/api/instances?…">

The browser fetches them while it reads the HTML, in parallel with the entry script; the
app's own ``fetch`` of the same URL (credentials included, no extra headers) then takes the
preloaded answer instead of waiting for the script to run. Data is announced only to a
browser that holds a session cookie (a visitor would only get 401s), and ``data`` only for
the query-less URL (the hints name the default view).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

HINTS_FILE = "route-hints.json"
MAX_HINTS_BYTES = 256 * 1024
# Same-origin paths only (not "//host/…"), with nothing that could leave an attribute.
_SAFE_URL = re.compile(r"^/(?!/)[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$")
_SEGMENT = re.compile(r"^(?::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~-]+)$")


@dataclass(frozen=True)
class RouteHint:
    segments: tuple[str, ...]
    modules: tuple[str, ...]
    styles: tuple[str, ...]
    data: tuple[str, ...]
    session: tuple[str, ...] = ()

    def matches(self, parts: tuple[str, ...]) -> bool:
        return len(parts) == len(self.segments) and all(
            want.startswith(":") or want == got
            for want, got in zip(self.segments, parts, strict=True)
        )

    def links(self, *, with_session: bool, with_data: bool) -> str:
        tags = [f'<link rel="modulepreload" crossorigin href="{_attr(u)}">' for u in self.modules]
        tags += [f'<link rel="stylesheet" crossorigin href="{_attr(u)}">' for u in self.styles]
        fetches = (self.session if with_session else ()) + (self.data if with_data else ())
        tags += [
            f'<link rel="preload" as="fetch" crossorigin="use-credentials" href="{_attr(u)}">'
            for u in fetches
        ]
        return "".join(tags)


def _attr(url: str) -> str:
    return html.escape(url, quote=True)


def _urls(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(url, str) and _SAFE_URL.match(url) for url in value
    ):
        raise ValueError(f"expected a list of same-origin paths, got {value!r}")
    return tuple(value)


def _segments(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


def parse_hints(raw: Any) -> tuple[RouteHint, ...]:
    """The hints of a route-hints.json document; ValueError when it is not one."""
    if not isinstance(raw, dict):
        raise ValueError("route hints must be an object keyed by route path")
    hints = []
    for path, entry in raw.items():
        if not isinstance(path, str) or not path.startswith("/") or not isinstance(entry, dict):
            raise ValueError(f"bad route hint {path!r}")
        segments = _segments(path)
        if not all(_SEGMENT.match(segment) for segment in segments):
            raise ValueError(f"bad route path {path!r}")
        hints.append(
            RouteHint(
                segments=segments,
                modules=_urls(entry.get("modules", [])),
                styles=_urls(entry.get("styles", [])),
                data=_urls(entry.get("data", [])),
                session=_urls(entry.get("session", [])),
            )
        )
    # Static segments before parameters: /instances/new is not the instance called "new".
    return tuple(sorted(hints, key=lambda h: [s.startswith(":") for s in h.segments]))


class SpaIndex:
    """index.html, with the preload hints of the page asked for when the build has them."""

    def __init__(self, dist: Path) -> None:
        self.index = dist / "index.html"
        self.hints: tuple[RouteHint, ...] = ()
        self._template: str | None = None
        self._rendered: dict[tuple[int, bool, bool], str] = {}
        hints_file = dist / HINTS_FILE
        try:
            if hints_file.is_file() and hints_file.stat().st_size <= MAX_HINTS_BYTES:
                self.hints = parse_hints(json.loads(hints_file.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:  # a broken build still serves the app
            log.warning("spa.route_hints_unreadable", file=str(hints_file), error=str(exc))

    def render(self, path: str, *, query: str, has_session: bool) -> str | None:
        """index.html for ``path`` (without its leading slash), or None without hints."""
        if not self.hints:
            return None
        parts = _segments(path)
        found = next(((n, h) for n, h in enumerate(self.hints) if h.matches(parts)), None)
        if found is None:
            return None
        number, hint = found
        with_session = has_session and bool(hint.session)
        with_data = has_session and not query and bool(hint.data)
        key = (number, with_session, with_data)
        if key not in self._rendered:
            if self._template is None:
                self._template = self.index.read_text(encoding="utf-8")
            head_end = self._template.find("</head>")
            if head_end < 0:
                return None
            links = hint.links(with_session=with_session, with_data=with_data)
            self._rendered[key] = self._template[:head_end] + links + self._template[head_end:]
        return self._rendered[key]
