"""Calls to servers we do not control: destination checks, byte caps, total time limits.

*Where* (forward URLs, which operators type): the host is resolved when the call is made,
every address it resolves to must be public (not loopback, private, link-local,
multicast, reserved…) unless ``FORWARD_ALLOW_PRIVATE_NETWORKS`` is on, and the
connection goes to the address that was checked (the URL's host is kept in ``Host`` and
for TLS in SNI), so DNS cannot answer one address to the check and another to the
connection. URLs with credentials (``user:pw@``) are refused.

*How much*: every answer is streamed and read up to a byte cap, and the whole exchange
(connect, headers, body) has one deadline, so neither a 600 MB answer nor a server that
drips a byte a second can hold memory or a task. The errors say which limit was hit.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from evodash.core.urls import has_credentials

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    """The URL may not be called (credentials, a non-public address)."""


class ResponseTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer was larger than {limit:,} bytes (byte limit)")
        self.limit = limit


class ResponseTooSlow(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s (total time limit)")
        self.seconds = seconds


@dataclass(frozen=True)
class Answer:
    """A response read within the limits."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    #: True when the body was cut at the cap (only with ``truncate=True``).
    truncated: bool = False

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


def refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return refusal(embedded)
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((why for bad, why in checks if bad), None)


def literal_address(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is one, in any spelling a resolver accepts
    (``127.1``, ``0x7f000001``, ``2130706433``, ``[::1]``)."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # inet_aton takes the legacy IPv4 forms getaddrinfo would resolve too
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse what can be refused without resolving: bad scheme, credentials, and literal
    non-public addresses. Raises :class:`DestinationRefused`."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise DestinationRefused(f"not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused("only http:// and https:// URLs with a host are allowed")
    if has_credentials(url):
        raise DestinationRefused(
            "URLs with a user name or password are not allowed; put a token in a query "
            "parameter or path instead"
        )
    ip = literal_address(parts.hostname)
    if ip is not None and not allow_private and (why := refusal(ip)) is not None:
        raise DestinationRefused(
            f"{parts.hostname} is {why}; only public addresses may receive forwarded events "
            "(FORWARD_ALLOW_PRIVATE_NETWORKS allows others)"
        )


async def resolve_checked(url: str, *, allow_private: bool) -> tuple[httpx.URL, dict[str, Any]]:
    """The URL to connect to (host replaced by a checked address) and request options
    (``Host`` header, TLS SNI) that keep the original name. Raises DestinationRefused."""
    check_url(url, allow_private=allow_private)
    target = httpx.URL(url)
    host = target.host
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise DestinationRefused(f"cannot resolve {host}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:  # pragma: no cover - getaddrinfo raises instead
        raise DestinationRefused(f"{host} resolves to no address")
    if not allow_private:
        for ip in addresses:
            if (why := refusal(ip)) is not None:
                raise DestinationRefused(
                    f"{host} resolves to {ip}, {why}; only public addresses may receive "
                    "forwarded events (FORWARD_ALLOW_PRIVATE_NETWORKS allows others)"
                )
    pinned = target.copy_with(host=str(addresses[0]))
    netloc = target.netloc.decode("ascii")
    options: dict[str, Any] = {"headers": {"Host": netloc}}
    if target.scheme == "https":
        options["extensions"] = {"sni_hostname": host}
    return pinned, options


async def read_limited(response: httpx.Response, max_bytes: int, *, truncate: bool) -> bytes:
    """Read a streamed body up to ``max_bytes`` (after decompression: a gzip bomb is
    caught too). Over the cap: :class:`ResponseTooLarge`, or the first ``max_bytes``
    with ``truncate``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes and not truncate:
        raise ResponseTooLarge(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            if not truncate:
                raise ResponseTooLarge(max_bytes)
            chunks.append(chunk[: len(chunk) - (size - max_bytes)])
            break
        chunks.append(chunk)
    return b"".join(chunks)


async def request_limited(
    http: httpx.AsyncClient,
    method: str,
    url: str | httpx.URL,
    *,
    max_bytes: int,
    total_timeout: float,
    truncate: bool = False,
    **kwargs: Any,
) -> Answer:
    """One request, its body read up to ``max_bytes``, all of it within ``total_timeout``.

    Raises :class:`ResponseTooLarge`, :class:`ResponseTooSlow`, or httpx's errors.
    """
    try:
        async with asyncio.timeout(total_timeout):
            async with http.stream(method, url, **kwargs) as response:
                content = await read_limited(response, max_bytes, truncate=truncate)
                declared = response.headers.get("content-length", "")
                cut = truncate and (
                    len(content) >= max_bytes or (declared.isdigit() and int(declared) > max_bytes)
                )
                return Answer(response.status_code, response.headers, content, truncated=cut)
    except TimeoutError as exc:
        raise ResponseTooSlow(total_timeout) from exc
