from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from evodash.auth import service, sessions
from evodash.auth.deps import CurrentAuth, CurrentUser, PasswordsDep, ThrottleDep
from evodash.auth.errors import SessionNotFound
from evodash.auth.models import SessionKind
from evodash.auth.repository import AuthSessionRepository
from evodash.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    EndSessions,
    EndSessionsResult,
    LoginRequest,
    LoginResult,
    PasswordChange,
    SessionRead,
    TokenResult,
)
from evodash.core.config import Settings
from evodash.core.deps import ClientIP, SessionDep, SessionMakerDep, SettingsDep
from evodash.core.params import Id
from evodash.core.schemas import error_responses
from evodash.core.security import new_csrf_token
from evodash.users import audit
from evodash.users.schemas import UserRead

router = APIRouter(prefix="/auth", tags=["auth"])


def _set_session_cookies(response: Response, settings: Settings, token: str, csrf: str) -> None:
    max_age = settings.access_token_expire_minutes * 60
    response.set_cookie(
        settings.session_cookie_name,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    # Readable by the SPA on purpose: it echoes it in X-CSRF-Token (double submit).
    response.set_cookie(
        settings.csrf_cookie_name,
        csrf,
        max_age=max_age,
        httponly=False,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


def _clear_session_cookies(response: Response, settings: Settings) -> None:
    response.delete_cookie(settings.session_cookie_name, path="/")
    response.delete_cookie(settings.csrf_cookie_name, path="/")


@router.post(
    "/login",
    response_model=LoginResult,
    summary="Log in (browser session)",
    description="Checks the credentials and sets an httpOnly session cookie plus a CSRF "
    "cookie. Unsafe requests made with the cookie must send the CSRF value in "
    "`X-CSRF-Token`. Throttled per address and per (address, username), with exponential "
    "backoff (429 with `Retry-After`); 503 when too many logins are being checked at once.",
    responses=error_responses(401, 422, 429, 503),
)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    sessionmaker: SessionMakerDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    passwords: PasswordsDep,
    ip: ClientIP,
) -> LoginResult:
    # The request's session is not touched before the password check: no connection is
    # held while the check waits (see auth.service.authenticate).
    checked = await service.authenticate(
        sessionmaker,
        throttle,
        passwords,
        username=body.username,
        password=body.password,
        ip=ip,
        via="cookie",
    )
    user = await service.record_login(session, checked, ip=ip, via="cookie")
    token, expires_at, _ = await sessions.start_session(
        session,
        user,
        settings,
        kind=SessionKind.session,
        ip=ip,
        user_agent=request.headers.get("user-agent"),
    )
    csrf = new_csrf_token()
    _set_session_cookies(response, settings, token, csrf)
    return LoginResult(user=UserRead.model_validate(user), csrf_token=csrf, expires_at=expires_at)


@router.post(
    "/token",
    response_model=TokenResult,
    summary="Get a Bearer token (OAuth2 password flow)",
    description="For integrators and the Authorize button of `/docs`. The token is a "
    'server-side session: `POST /api/auth/logout` with it, or "log out everywhere", ends '
    "it. Throttled like the login.",
    responses=error_responses(401, 422, 429, 503),
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    sessionmaker: SessionMakerDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    passwords: PasswordsDep,
    ip: ClientIP,
) -> TokenResult:
    checked = await service.authenticate(
        sessionmaker,
        throttle,
        passwords,
        username=form.username,
        password=form.password,
        ip=ip,
        via="bearer",
    )
    user = await service.record_login(session, checked, ip=ip, via="bearer")
    access_token, expires_at, _ = await sessions.start_session(
        session,
        user,
        settings,
        kind=SessionKind.bearer,
        ip=ip,
        user_agent=request.headers.get("user-agent"),
    )
    return TokenResult(access_token=access_token, expires_at=expires_at)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out (end this session or token)",
    description="Ends the session (cookie) or Bearer token of the request on the server: "
    "it stops working at once, on every API process. With an API key nothing ends (revoke "
    "the key instead).",
    responses=error_responses(401, 403),
)
async def logout(
    response: Response,
    auth: CurrentAuth,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> None:
    if auth.session_id is not None:
        await sessions.revoke(session, auth.session_id)
    audit.record(session, auth.user, "auth.logout", ip=ip, detail={"via": auth.method})
    _clear_session_cookies(response, settings)


@router.get(
    "/me", response_model=UserRead, summary="The logged-in user", responses=error_responses(401)
)
async def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password",
    description="Every session and token of mine ends, this one included (log in again "
    "with the new password); with `revoke_api_keys` my API keys are revoked too. Wrong "
    "current passwords are throttled like logins.",
    responses=error_responses(400, 401, 403, 422, 429, 503),
)
async def change_password(
    body: PasswordChange,
    response: Response,
    auth: CurrentAuth,
    session: SessionDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    passwords: PasswordsDep,
    ip: ClientIP,
) -> None:
    await service.change_password(
        session,
        auth,
        throttle,
        passwords,
        current=body.current_password,
        new=body.new_password,
        revoke_api_keys=body.revoke_api_keys,
        ip=ip,
    )
    _clear_session_cookies(response, settings)


@router.get(
    "/sessions",
    response_model=list[SessionRead],
    summary="My active sessions and Bearer tokens",
    responses=error_responses(401),
)
async def list_sessions(auth: CurrentAuth, session: SessionDep) -> list[SessionRead]:
    rows = await sessions.active_sessions(session, auth.user)
    return [
        SessionRead.model_validate(row).model_copy(update={"current": row.id == auth.session_id})
        for row in rows
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End one of my sessions",
    responses=error_responses(401, 403, 404),
)
async def end_session(
    session_id: Annotated[str, Path(max_length=64)],
    auth: CurrentAuth,
    session: SessionDep,
    ip: ClientIP,
) -> None:
    row = await AuthSessionRepository(session).get(session_id)
    if row is None or row.user_id != auth.user.id or row.kind == SessionKind.ws_ticket:
        raise SessionNotFound()
    await sessions.revoke(session, session_id)
    audit.record(session, auth.user, "auth.session_ended", ip=ip)


@router.post(
    "/logout-everywhere",
    response_model=EndSessionsResult,
    summary="Log out everywhere",
    description="Ends every session and Bearer token of mine, this one included, on every "
    "device and API process; with `revoke_api_keys` my API keys are revoked too.",
    responses=error_responses(401, 403, 422),
)
async def end_all_sessions(
    body: EndSessions,
    response: Response,
    auth: CurrentAuth,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> EndSessionsResult:
    ended = await service.end_all_sessions(session, auth.user, revoke_api_keys=body.revoke_api_keys)
    audit.record(
        session,
        auth.user,
        "auth.logout_everywhere",
        ip=ip,
        detail={"ended": ended, "api_keys_revoked": body.revoke_api_keys},
    )
    _clear_session_cookies(response, settings)
    return EndSessionsResult(ended=ended)


@router.get(
    "/api-keys",
    response_model=list[ApiKeyRead],
    summary="My API keys",
    responses=error_responses(401),
)
async def list_api_keys(user: CurrentUser, session: SessionDep) -> list[ApiKeyRead]:
    keys = await service.list_api_keys(session, user)
    return [ApiKeyRead.model_validate(k) for k in keys]


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key",
    description="The key is returned once; only its hash is stored. Send it as "
    "`X-API-Key: <key>` or `Authorization: Bearer <key>`. It acts with your role. A "
    "request made with an API key may create keys only when that key has "
    "`can_create_keys`; the new key then expires no later than it. A key may be limited: "
    "`read_only`, `operations` (send_messages, read_messages, manage_instances), "
    "`instance_ids` and `team_ids` (a user's key never sees more than its user); an "
    "instance or team outside the caller's scope is a 404.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def create_api_key(
    body: ApiKeyCreate, auth: CurrentAuth, session: SessionDep, ip: ClientIP
) -> ApiKeyCreated:
    api_key, key = await service.create_api_key(
        session,
        auth,
        name=body.name,
        expires_at=body.expires_at,
        can_create_keys=body.can_create_keys,
        ip=ip,
        limits=body,
    )
    return ApiKeyCreated(api_key=ApiKeyRead.model_validate(api_key), key=key)


@router.delete(
    "/api-keys/{key_id}",
    response_model=ApiKeyRead,
    summary="Revoke an API key",
    responses=error_responses(401, 403, 404),
)
async def revoke_api_key(
    key_id: Id, user: CurrentUser, session: SessionDep, ip: ClientIP
) -> ApiKeyRead:
    return ApiKeyRead.model_validate(await service.revoke_api_key(session, user, key_id, ip=ip))
