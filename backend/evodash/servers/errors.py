"""Errors of the servers domain; each carries its HTTP status (see ``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import Conflict, NotFound


class ServerNotFound(NotFound):
    code: ClassVar[str] = "server_not_found"

    def __init__(self) -> None:
        super().__init__("No such Evolution server.")


class ServerNameTaken(Conflict):
    code: ClassVar[str] = "server_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"An Evolution server named {name!r} already exists.")


class ServerUrlTaken(Conflict):
    code: ClassVar[str] = "server_url_taken"

    def __init__(self, url: str) -> None:
        super().__init__(f"The Evolution server at {url} is already registered.")


class ServerHasInstances(Conflict):
    code: ClassVar[str] = "server_has_instances"

    def __init__(self, live: int, deleted: int) -> None:
        parts = []
        if live:
            parts.append(f"{live} instance(s)")
        if deleted:
            parts.append(f"the kept history of {deleted} deleted instance(s)")
        super().__init__(
            f"This server still has {' and '.join(parts)}. Delete them first, or pass "
            "remove_instances=true to delete them (on Evolution too) with the server.",
            extra={"instances": live, "deleted_instances": deleted},
        )


class ServerKeyMismatch(Conflict):
    code: ClassVar[str] = "server_key_mismatch"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"The Evolution server at {url} is registered with a different API key. Choose "
            "the registered server, or have an admin update its key."
        )


class ServerKeyUnreadable(Conflict):
    code: ClassVar[str] = "server_key_unreadable"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The stored API key of server {name!r} cannot be decrypted (SECRET_KEY changed "
            "since it was saved). An admin must enter the key again."
        )
