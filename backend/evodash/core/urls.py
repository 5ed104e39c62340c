"""URLs that may carry secrets: spot them and show them safely."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

#: Query parameter names whose values are credentials (compared case-insensitively).
SECRET_PARAMS = frozenset(
    {
        "token",
        "ticket",
        "apikey",
        "api_key",
        "access_token",
        "refresh_token",
        "key",
        "password",
        "passwd",
        "pwd",
        "secret",
        "signature",
        "sig",
        "auth",
        "authorization",
        "session",
        "code",
    }
)

_SECRET_QUERY = re.compile(
    r"(?P<name>(?:^|(?<=[?&;]))(?:"
    + "|".join(sorted(SECRET_PARAMS))
    + r"))=(?P<value>[^&#;\s\"']*)",
    re.IGNORECASE,
)
_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/@\s\"']+@", re.IGNORECASE)


def scrub(text: str) -> str:
    """``text`` with credential query values and URL user info replaced by ``***``.

    For log lines: ``GET /api/ws?token=abc`` → ``GET /api/ws?token=***``,
    ``https://user:pw@host/`` → ``https://***@host/``.
    """
    if "=" in text:
        text = _SECRET_QUERY.sub(lambda m: f"{m.group('name')}=***", text)
    if "@" in text:
        text = _USERINFO.sub(lambda m: f"{m.group('scheme')}***@", text)
    return text


def has_credentials(url: str) -> bool:
    """Whether ``url`` carries user info (``user:password@``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.username is not None or parts.password is not None or "@" in parts.netloc


def public_part(url: str) -> str:
    """Scheme, host, port and path only: no user info, query or fragment (for viewers)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
