"""Errors of reconnect links.

An unknown token is one answer (``reconnect_link_not_found``) and a throttled guess. A
token that exists but stopped working says why (expired, revoked, used): only someone
holding its 128 random bits can learn that, so it tells a guesser nothing, and the
customer gets a message that fits.
"""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import NotFound, PermissionDenied


class LinkNotFound(NotFound):
    code: ClassVar[str] = "reconnect_link_not_found"

    def __init__(self) -> None:
        super().__init__("This link does not work (check that it was copied whole).")


class LinkExpired(NotFound):
    code: ClassVar[str] = "reconnect_link_expired"

    def __init__(self) -> None:
        super().__init__("This link has expired: ask for a new one.")


class LinkRevoked(NotFound):
    code: ClassVar[str] = "reconnect_link_revoked"

    def __init__(self) -> None:
        super().__init__("This link was cancelled: ask for a new one.")


class LinkUsed(NotFound):
    code: ClassVar[str] = "reconnect_link_used"

    def __init__(self) -> None:
        super().__init__("This link was already used: ask for a new one if you need it.")


class WrongPin(PermissionDenied):
    code: ClassVar[str] = "reconnect_link_wrong_pin"

    def __init__(self) -> None:
        super().__init__("Wrong PIN. Each wrong guess makes the next one wait longer.")
