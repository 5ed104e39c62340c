"""Errors of the instances domain; each carries its HTTP status (see ``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import BadRequest, Conflict, NotFound, PermissionDenied


class InstanceNotFound(NotFound):
    code: ClassVar[str] = "instance_not_found"

    def __init__(self) -> None:
        super().__init__("No such instance.")


class InstanceDeleted(Conflict):
    code: ClassVar[str] = "instance_deleted"

    def __init__(self) -> None:
        super().__init__("This instance was deleted; only its history is kept.")


class InstanceNameTaken(Conflict):
    code: ClassVar[str] = "instance_name_taken"

    def __init__(self, name: str, *, on_evolution: bool = False) -> None:
        where = (
            "on the Evolution server (use import to manage it here)"
            if on_evolution
            else "on this server"
        )
        super().__init__(f"An instance named {name!r} already exists {where}.")


class PairingNeedsNumber(BadRequest):
    code: ClassVar[str] = "pairing_needs_number"

    def __init__(self) -> None:
        super().__init__(
            "A pairing code needs the phone number: give phone_number, or use the QR code."
        )


class ServerRegistrationNeedsAdmin(PermissionDenied):
    code: ClassVar[str] = "server_registration_needs_admin"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"No Evolution server is registered at {url}, and only an admin may register "
            "one. Ask an admin, or choose a registered server."
        )


class InstanceNotConnected(Conflict):
    code: ClassVar[str] = "instance_not_connected"

    def __init__(
        self,
        detail: str = "Restart only works while the instance is open or connecting; "
        "connect it instead.",
    ) -> None:
        super().__init__(detail)
