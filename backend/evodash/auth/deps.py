"""Who is calling: cookie session (with CSRF), Bearer JWT, or API key; and role checks."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import (
    APIKeyHeader,
    HTTPAuthorizationCredentials,
    HTTPBearer,
    OAuth2PasswordBearer,
)

from evodash.auth import operations, service, sessions
from evodash.auth.errors import (
    ApiKeyOperationDenied,
    ApiKeyReadOnly,
    ApiKeyScopeDenied,
    CsrfFailed,
    RoleRequired,
)
from evodash.auth.models import SessionKind
from evodash.auth.sessions import AuthContext
from evodash.auth.throttle import LoginThrottle
from evodash.core.deps import SessionDep, SettingsDep
from evodash.core.errors import NotAuthenticated
from evodash.core.middleware import route_label
from evodash.core.openapi import raises
from evodash.core.security import API_KEY_PREFIX, PasswordHashing, constant_time_equals
from evodash.users.models import ApiKey, Role, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"

# Declared so that /docs shows the Authorize button (password flow and API key) and the
# document says how to authenticate: the password flow's token, or any token (a session
# token or an API key) as `Authorization: Bearer`, or an API key as `X-API-Key`.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
bearer_scheme = HTTPBearer(
    auto_error=False, description="A token from `/api/auth/token`, or an API key"
)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


def _unauthenticated() -> NotAuthenticated:
    return NotAuthenticated(
        "Log in first: no valid session cookie, Bearer token or API key was sent.",
        headers={"WWW-Authenticate": "Bearer"},
    )


@raises(401, 403)
async def get_current_auth(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    oauth2_token: Annotated[str | None, Depends(oauth2_scheme)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> AuthContext:
    # Both schemes read the same Authorization header; either may be absent.
    bearer = credentials.credentials if credentials is not None else oauth2_token
    ctx: AuthContext | None
    if api_key:
        ctx = await service.user_from_api_key(session, api_key)
    elif bearer:
        if bearer.startswith(API_KEY_PREFIX):
            ctx = await service.user_from_api_key(session, bearer)
        else:
            ctx = await sessions.from_token(session, bearer, settings, kind=SessionKind.bearer)
    else:
        cookie = request.cookies.get(settings.session_cookie_name)
        if not cookie:
            raise _unauthenticated()
        if request.method not in SAFE_METHODS and not csrf_matches(
            request.headers.get(CSRF_HEADER), request.cookies.get(settings.csrf_cookie_name)
        ):
            raise CsrfFailed()
        ctx = await sessions.from_token(session, cookie, settings, kind=SessionKind.session)
    if ctx is None:
        raise _unauthenticated()
    if ctx.api_key is not None:
        _check_key_limits(request, ctx.api_key)
    request.state.user = ctx.user
    request.state.auth = ctx
    if ctx.api_key is not None:
        # On every log line of the request, and in its audit entries (users.audit).
        structlog.contextvars.bind_contextvars(
            api_key_id=ctx.api_key.id, api_key_name=ctx.api_key.name
        )
    return ctx


def _check_key_limits(request: Request, api_key: ApiKey) -> None:
    """A read-only key reads; a key limited to operations does those (and plain reads)."""
    if api_key.read_only and request.method not in SAFE_METHODS:
        raise ApiKeyReadOnly()
    if api_key.operations:
        template = route_label(request.scope)
        if not operations.allowed(api_key.operations, request.method, template):
            raise ApiKeyOperationDenied(operations.operation_of(request.method, template))


def csrf_matches(header: str | None, cookie: str | None) -> bool:
    """Double submit: both present, non-empty, equal (an empty pair proves nothing)."""
    if not header or not cookie:
        return False
    return constant_time_equals(header, cookie)


# Unsafe requests authenticated by the cookie need the CSRF token (403 without it).
get_current_auth.__evodash_cookie_auth__ = True  # type: ignore[attr-defined]
CurrentAuth = Annotated[AuthContext, Depends(get_current_auth)]


async def get_current_user(auth: CurrentAuth) -> User:
    return auth.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def check_role(auth: AuthContext, role: Role) -> None:
    """403 unless the caller has ``role``. A key limited to instances or teams acts as a
    team member would, with an operator's rights at most: what needs the admin role (users,
    teams, servers, backups, the audit log, metrics…) is fleet-wide, outside any scope."""
    if Role(auth.user.role).rank < role.rank:
        raise RoleRequired(role.value)
    key = auth.api_key
    if role.rank > Role.operator.rank and key is not None and (key.instance_ids or key.team_ids):
        raise ApiKeyScopeDenied()


def require_role(role: Role) -> object:
    async def check(auth: CurrentAuth) -> User:
        check_role(auth, role)
        return auth.user

    check.required_role = role  # type: ignore[attr-defined]  # read by the route-walk tests
    return Depends(raises(403)(check))


OperatorUser = Annotated[User, require_role(Role.operator)]
AdminUser = Annotated[User, require_role(Role.admin)]


@raises(429)
async def get_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


@raises(503)
async def get_password_hashing(request: Request) -> PasswordHashing:
    hashing: PasswordHashing = request.app.state.passwords
    return hashing


ThrottleDep = Annotated[LoginThrottle, Depends(get_throttle)]
PasswordsDep = Annotated[PasswordHashing, Depends(get_password_hashing)]
