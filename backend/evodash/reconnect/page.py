"""The customer's reconnect page: its own small entry of the SPA build (``reconnect.html``),
served at the links' path with headers of its own.

The page holds no secret (the token is in the URL's fragment), so it may be cached, but it
is revalidated every time so a new build is picked up at once; its scripts are the build's
hashed, immutable assets. Its Content-Security-Policy (``core.middleware``) is stricter than
the SPA's: same-origin scripts, styles, requests and images (plus the QR code's data URL),
nothing else. No referrer leaves it, and search engines are asked not to index it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from evodash.core.errors import NotFound
from evodash.reconnect.service import PAGE_PATH

PAGE_FILE = "reconnect.html"
HEADERS = {
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def mount_page(app: FastAPI, dist: Path) -> None:
    """Adds ``GET /reconnect`` (before the SPA's catch-all, which would answer it with the
    dashboard's index.html)."""
    page = dist / PAGE_FILE

    # A plain def: FastAPI runs it in a thread, so the file check does not block the loop.
    @app.get(PAGE_PATH, include_in_schema=False)
    def reconnect_page() -> Response:
        if not page.is_file():
            raise NotFound("The reconnect page is not built yet (make build).")
        return FileResponse(page, media_type="text/html; charset=utf-8", headers=HEADERS)
