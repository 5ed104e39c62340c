from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import (
    BadRequest,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    TooManyRequests,
)


class InvalidCredentials(NotAuthenticated):
    code: ClassVar[str] = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("Wrong username or password.")


class LoginThrottled(TooManyRequests):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many failed attempts. Try again in {retry_after} seconds.",
            extra={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


class CsrfFailed(PermissionDenied):
    code: ClassVar[str] = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(
            "The CSRF token is missing or wrong: send the evodash_csrf cookie's value in "
            "the X-CSRF-Token header."
        )


class ApiKeyReadOnly(PermissionDenied):
    code: ClassVar[str] = "api_key_read_only"

    def __init__(self) -> None:
        super().__init__("This API key may only read (GET).")


class ApiKeyOperationDenied(PermissionDenied):
    code: ClassVar[str] = "api_key_operation_denied"

    def __init__(self, operation: str) -> None:
        super().__init__(f"This API key may not do this ({operation}).")


class ApiKeyScopeDenied(PermissionDenied):
    code: ClassVar[str] = "api_key_scope_denied"

    def __init__(self) -> None:
        super().__init__(
            "This API key is limited to some instances or teams: it acts as a team member "
            "would, and may not use what needs the admin role."
        )


class RoleRequired(PermissionDenied):
    def __init__(self, role: str) -> None:
        super().__init__(f"This action needs the {role} role.")


class LoginBusy(ServiceUnavailable):
    code: ClassVar[str] = "login_busy"

    def __init__(self) -> None:
        super().__init__(
            "Too many logins are being checked right now. Try again in a few seconds.",
            headers={"Retry-After": "2"},
        )


class WrongCurrentPassword(BadRequest):
    code: ClassVar[str] = "wrong_current_password"

    def __init__(self) -> None:
        super().__init__("The current password is wrong.")


class ApiKeyCannotCreateKeys(PermissionDenied):
    code: ClassVar[str] = "api_key_cannot_create_keys"

    def __init__(self) -> None:
        super().__init__(
            "This API key may not create API keys. Create keys while logged in, or create "
            "this key again with can_create_keys=true."
        )


class SessionNotFound(NotFound):
    code: ClassVar[str] = "session_not_found"

    def __init__(self) -> None:
        super().__init__("No such session.")
