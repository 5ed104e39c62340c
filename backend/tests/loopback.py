"""HTTP clients for the tests, all sharing one TLS context.

httpx builds a TLS context for every client it creates, loading the whole CA bundle:
about 40 ms of CPU, even for a client that only ever speaks plain HTTP to 127.0.0.1.
The suite creates thousands of clients (one per simulator control call, per readiness
poll, per app), and those contexts were a tenth of its CPU time. Every test client comes
from here instead (``tests/test_loopback.py`` finds any test that builds one itself).
"""

from __future__ import annotations

from typing import Any

import httpx

from evodash.core.http import default_tls

#: The process's context, the one the apps' outbound clients use too; certificate checks
#: stay on, as httpx's default.
TLS = default_tls()


def client(**kwargs: Any) -> httpx.AsyncClient:
    """``httpx.AsyncClient(**kwargs)`` with the shared TLS context."""
    return httpx.AsyncClient(verify=TLS, **kwargs)


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """``httpx.request(...)`` (blocking) with the shared TLS context."""
    return httpx.request(method, url, verify=TLS, **kwargs)
