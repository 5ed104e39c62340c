from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import Conflict, NotFound


class TeamNotFound(NotFound):
    code: ClassVar[str] = "team_not_found"

    def __init__(self) -> None:
        super().__init__("No such team.")


class TeamNameTaken(Conflict):
    code: ClassVar[str] = "team_name_taken"

    def __init__(self) -> None:
        super().__init__("A team with this name already exists.")


class UnknownMembers(NotFound):
    code: ClassVar[str] = "team_member_not_found"

    def __init__(self, kind: str, ids: list[int]) -> None:
        super().__init__(f"No such {kind}: {', '.join(str(i) for i in ids[:20])}.")
