"""Walk every route of the app: each needs credentials, and roles are enforced.

New routes are covered automatically. Routes that are public on purpose are listed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts

from evodash.main import create_app
from evodash.users.models import Role
from tests.factories import UserFactory

PUBLIC = {
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/token"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
}
# Webhooks are authenticated by the instance secret; reconnect links by their token.
PUBLIC_PREFIXES = ("/api/webhooks/evolution/", "/api/public/reconnect/")
# Unsafe routes that any logged-in user may call on their own account.
SELF_SERVICE = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/me/password"),
    ("POST", "/api/auth/api-keys"),
    ("DELETE", "/api/auth/api-keys/{key_id}"),
    ("DELETE", "/api/auth/sessions/{session_id}"),
    ("POST", "/api/auth/logout-everywhere"),
    ("POST", "/api/ws/ticket"),
}


def _api_routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    # FastAPI >= 0.16x includes routers lazily; iter_route_contexts flattens them.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path:
            for method in sorted(context.methods or ()):
                yield method, context.path, route


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _required_role(dependant: Dependant) -> Role | None:
    found: list[Role] = []
    for dep in dependant.dependencies:
        role = getattr(dep.call, "required_role", None)
        if role is not None:
            found.append(role)
        sub = _required_role(dep)
        if sub is not None:
            found.append(sub)
    return max(found, key=lambda r: r.rank) if found else None


ALL_ROUTES = sorted((m, p) for m, p, _ in _api_routes(create_app()))


def test_the_walk_sees_the_routes() -> None:
    assert ("GET", "/api/auth/me") in ALL_ROUTES
    assert len(ALL_ROUTES) >= 10


@pytest.mark.parametrize(("method", "path"), ALL_ROUTES)
async def test_route_needs_credentials(client: httpx.AsyncClient, method: str, path: str) -> None:
    if (method, path) in PUBLIC or path.startswith(PUBLIC_PREFIXES):
        pytest.skip("public on purpose")
    response = await client.request(method, _concrete(path), json={})
    assert response.status_code == 401, response.text


def test_websocket_routes_are_known(app: FastAPI) -> None:
    # WebSocket routes authenticate inside the handler; their own tests prove it.
    paths = [
        c.path
        for c in iter_route_contexts(app.routes)
        if isinstance(c.original_route, APIWebSocketRoute)
    ]
    assert all(p and p.startswith("/api/") for p in paths)


def test_viewers_cannot_change_anything() -> None:
    """Every unsafe route needs at least the operator role, except self-service ones."""
    app = create_app()
    for method, path, route in _api_routes(app):
        if method in ("GET", "HEAD", "OPTIONS") or (method, path) in PUBLIC:
            continue
        if (method, path) in SELF_SERVICE or path.startswith(PUBLIC_PREFIXES):
            continue
        role = _required_role(route.dependant)
        assert role is not None and role.rank >= Role.operator.rank, (
            f"{method} {path} can be called by a viewer"
        )


ROLE_ROUTES = [
    (method, path, role)
    for method, path, route in _api_routes(create_app())
    if (role := _required_role(route.dependant)) is not None
]


def test_admin_only_areas_are_admin_only() -> None:
    roles = {(m, p): r for m, p, r in ROLE_ROUTES}
    assert roles[("GET", "/api/users")] == Role.admin
    assert roles[("POST", "/api/users")] == Role.admin
    assert roles[("GET", "/api/audit")] == Role.admin


@pytest.mark.parametrize(("method", "path", "role"), ROLE_ROUTES)
async def test_lower_roles_get_403(
    client: httpx.AsyncClient,
    users: UserFactory,
    as_user: object,
    method: str,
    path: str,
    role: Role,
) -> None:
    lower = [r for r in Role if r.rank < role.rank]
    for lower_role in lower:
        user = await users.create(lower_role)
        headers = await as_user(user)  # type: ignore[operator]
        response = await client.request(method, _concrete(path), json={}, headers=headers)
        assert response.status_code == 403, f"{lower_role} on {method} {path}: {response.text}"
