"""Errors of bulk operations; each carries its HTTP status (see ``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import Conflict, NotFound, Unprocessable


class OperationNotFound(NotFound):
    code: ClassVar[str] = "operation_not_found"

    def __init__(self) -> None:
        super().__init__("No such bulk operation.")


class OperationRunning(Conflict):
    code: ClassVar[str] = "operation_running"

    def __init__(self) -> None:
        super().__init__("This operation is running; wait for it to finish.")


class ConfirmationMismatch(Unprocessable):
    code: ClassVar[str] = "confirmation_mismatch"

    def __init__(self, expected: int) -> None:
        super().__init__(
            f"To delete these instances, type their number ({expected}) as `confirmation`.",
            extra={"expected": str(expected)},
        )
