"""Errors of the recovery domain; each carries its HTTP status (see ``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import Conflict, Unprocessable


class RecoveryRunning(Conflict):
    code: ClassVar[str] = "recovery_running"

    def __init__(self) -> None:
        super().__init__("A recovery of this instance is already running; wait for it to finish.")


class RecoveryWindowRefused(Unprocessable):
    code: ClassVar[str] = "recovery_window_refused"
