from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import NotFound, Unprocessable


class MessageNotFound(NotFound):
    code: ClassVar[str] = "message_not_found"

    def __init__(self) -> None:
        super().__init__("No such message.")


class InvalidNumbers(Unprocessable):
    code: ClassVar[str] = "invalid_numbers"

    def __init__(self, entries: list[str]) -> None:
        shown = ", ".join(repr(e) for e in entries[:10])
        super().__init__(
            f"These entries are not phone numbers: {shown}. Use E.164 (+5511987654321), "
            "digits with the country code, or a WhatsApp JID (5511987654321@s.whatsapp.net).",
            extra={"invalid": entries},
        )


class InvalidRecipient(Unprocessable):
    code: ClassVar[str] = "invalid_recipient"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"{number!r} is neither a phone number nor a WhatsApp JID "
            "(…@s.whatsapp.net, …@lid, …@g.us)."
        )
