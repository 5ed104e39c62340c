"""Errors of reconnect links."""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import NotFound, PermissionDenied


class LinkNotFound(NotFound):
    """Unknown, expired, revoked or spent: the same answer, so nothing can be learnt."""

    code: ClassVar[str] = "reconnect_link_not_found"

    def __init__(self) -> None:
        super().__init__("This link does not work (it may have expired or been used).")


class WrongPin(PermissionDenied):
    code: ClassVar[str] = "reconnect_link_wrong_pin"

    def __init__(self) -> None:
        super().__init__("Wrong PIN. Each wrong guess makes the next one wait longer.")
