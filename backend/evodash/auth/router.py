from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from evodash.auth import service
from evodash.auth.deps import CurrentUser, ThrottleDep
from evodash.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    LoginRequest,
    LoginResult,
    PasswordChange,
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


@router.post(
    "/login",
    response_model=LoginResult,
    summary="Log in (browser session)",
    description="Checks the credentials and sets an httpOnly session cookie plus a CSRF "
    "cookie. Unsafe requests made with the cookie must send the CSRF value in "
    "`X-CSRF-Token`. Throttled per username and address.",
    responses=error_responses(401, 422, 429),
)
async def login(
    body: LoginRequest,
    response: Response,
    session: SessionDep,
    sessionmaker: SessionMakerDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    ip: ClientIP,
) -> LoginResult:
    user = await service.authenticate(
        session,
        sessionmaker,
        throttle,
        username=body.username,
        password=body.password,
        ip=ip,
        via="cookie",
    )
    token, expires_at = service.issue_token(user, settings, kind="session")
    csrf = new_csrf_token()
    _set_session_cookies(response, settings, token, csrf)
    return LoginResult(user=UserRead.model_validate(user), csrf_token=csrf, expires_at=expires_at)


@router.post(
    "/token",
    response_model=TokenResult,
    summary="Get a Bearer token (OAuth2 password flow)",
    description="For integrators and the Authorize button of `/docs`.",
    responses=error_responses(401, 422, 429),
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    sessionmaker: SessionMakerDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    ip: ClientIP,
) -> TokenResult:
    user = await service.authenticate(
        session,
        sessionmaker,
        throttle,
        username=form.username,
        password=form.password,
        ip=ip,
        via="bearer",
    )
    access_token, expires_at = service.issue_token(user, settings, kind="bearer")
    return TokenResult(access_token=access_token, expires_at=expires_at)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out (clear the session cookies)",
    responses=error_responses(401, 403),
)
async def logout(
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> None:
    audit.record(session, user, "auth.logout", ip=ip)
    response.delete_cookie(settings.session_cookie_name, path="/")
    response.delete_cookie(settings.csrf_cookie_name, path="/")


@router.get(
    "/me", response_model=UserRead, summary="The logged-in user", responses=error_responses(401)
)
async def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password",
    description="Every session and token issued before stops working.",
    responses=error_responses(400, 401, 403, 422),
)
async def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, ip: ClientIP
) -> None:
    await service.change_password(
        session, user, current=body.current_password, new=body.new_password, ip=ip
    )


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
    "`X-API-Key: <key>` or `Authorization: Bearer <key>`. It acts with your role.",
    responses=error_responses(401, 403, 422),
)
async def create_api_key(
    body: ApiKeyCreate, user: CurrentUser, session: SessionDep, ip: ClientIP
) -> ApiKeyCreated:
    api_key, key = await service.create_api_key(
        session, user, name=body.name, expires_at=body.expires_at, ip=ip
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
