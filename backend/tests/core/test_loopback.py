"""The tests' HTTP clients share one TLS context (see ``tests/loopback.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx

from evodash.core.http import default_tls
from tests import loopback

TESTS = Path(__file__).resolve().parents[1]
#: What builds a client, and with it a TLS context of its own (a transport too, unless it
#: is given one: ``verify=``).
BUILDERS = {"AsyncClient", "Client", "request", "get", "post", "put", "patch", "delete", "stream"}
TRANSPORTS = {"AsyncHTTPTransport", "HTTPTransport"}


def own_clients(source: str) -> list[str]:
    """``line: httpx.X(…)`` for each client ``source`` builds itself."""
    return [
        f"{node.lineno}: httpx.{node.func.attr}(…)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "httpx"
        and (
            node.func.attr in BUILDERS
            or (
                node.func.attr in TRANSPORTS
                and not any(keyword.arg == "verify" for keyword in node.keywords)
            )
        )
    ]


def test_no_test_builds_a_client_of_its_own() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{hit}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != "loopback.py"
        for hit in own_clients(path.read_text())
    ]
    assert not found, "use tests.loopback.client() or request():\n" + "\n".join(found)


def test_the_check_finds_a_client_built_directly() -> None:
    source = "import httpx\n\nasync def f():\n    async with httpx.AsyncClient() as c:\n" + (
        "        httpx.get('http://x')\n"
    )
    assert own_clients(source) == ["4: httpx.AsyncClient(…)", "5: httpx.get(…)"]
    assert own_clients("x: httpx.AsyncClient\n") == []  # a type is not a client
    assert own_clients("httpx.AsyncHTTPTransport(retries=1)") == ["1: httpx.AsyncHTTPTransport(…)"]
    assert own_clients("httpx.AsyncHTTPTransport(verify=loopback.TLS)") == []


async def test_clients_share_the_tls_context() -> None:
    async with loopback.client() as first, loopback.client(base_url="http://x") as second:
        for client in (first, second):
            transport = client._transport
            assert isinstance(transport, httpx.AsyncHTTPTransport)
            assert transport._pool._ssl_context is loopback.TLS
    assert loopback.TLS is default_tls()  # the apps' outbound clients use it too
