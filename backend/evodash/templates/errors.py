"""Errors of fleet templates; each carries its HTTP status (see ``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import Conflict, NotFound


class TemplateNotFound(NotFound):
    code: ClassVar[str] = "template_not_found"

    def __init__(self) -> None:
        super().__init__("No such template.")


class TemplateNameTaken(Conflict):
    code: ClassVar[str] = "template_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"A template named {name!r} already exists.")
