"""``/docs`` (Swagger UI) and ``/redoc``, served with their scripts from evodash itself.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so they are blank on a
server without internet, the usual case for an on-premises dashboard. The assets come
from the ``fastapi-offline`` package (pinned in ``constraints.txt``), served at
:data:`ASSETS_URL`: a plain ``pip install`` brings them, with no build step.

Whether the pages and ``/openapi.json`` are served at all is the ``API_DOCS_ENABLED``
setting (on by default except with ``ENVIRONMENT=production``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OPENAPI_URL = "/openapi.json"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
#: First path segments that belong to the API documentation (never the SPA).
DOCS_SEGMENTS = frozenset({"docs", "redoc", "openapi.json", ASSETS_URL.strip("/")})


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI, ReDoc and their assets (call only when docs are enabled)."""
    app.mount(
        ASSETS_URL,
        StaticFiles(packages=[("fastapi_offline", "static")]),
        name="docs-assets",
    )
    favicon = f"{ASSETS_URL}/favicon.png"
    title = f"{app.title} API"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title=title,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon,
            oauth2_redirect_url=OAUTH2_REDIRECT_URL,
            # No badge fetched from validator.swagger.io: nothing leaves the server.
            swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None},
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=OPENAPI_URL,
            title=title,
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
