"""Errors of relay destinations; each carries its HTTP status (see ``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import Conflict, NotFound, Unprocessable


class DestinationNotFound(NotFound):
    code: ClassVar[str] = "destination_not_found"

    def __init__(self) -> None:
        super().__init__("No such destination for this instance.")


class DestinationNameTaken(Conflict):
    code: ClassVar[str] = "destination_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"This instance already has a destination named {name!r}.")


class TooManyDestinations(Conflict):
    code: ClassVar[str] = "too_many_destinations"

    def __init__(self, limit: int) -> None:
        super().__init__(f"An instance forwards to at most {limit} destinations.")


class DestinationUrlRefused(Unprocessable):
    code: ClassVar[str] = "destination_url_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(f"This destination URL cannot be used: {reason}.")


class SecretHeaderIncomplete(Unprocessable):
    code: ClassVar[str] = "secret_header_incomplete"

    def __init__(self) -> None:
        super().__init__("A secret header needs both a name and a value.")
