from __future__ import annotations

from evodash.core.errors import Conflict, NotFound


class UserNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such user.")


class UsernameTaken(Conflict):
    def __init__(self, username: str) -> None:
        super().__init__(f"The username {username!r} is already taken.")


class LastAdmin(Conflict):
    def __init__(self) -> None:
        super().__init__("This is the last active admin: make another admin first.")
