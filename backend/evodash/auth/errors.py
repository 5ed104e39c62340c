from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import NotAuthenticated, PermissionDenied, TooManyRequests


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


class RoleRequired(PermissionDenied):
    def __init__(self, role: str) -> None:
        super().__init__(f"This action needs the {role} role.")
