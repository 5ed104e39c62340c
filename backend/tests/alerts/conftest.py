"""Fixtures of the alerts tests: the simulator, and an SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.live import free_port
from tests.simulator_server import (  # noqa: F401 (fixtures)
    running_simulator,
    simulator_process,
)


class Mailbox:
    """What the SMTP server received (aiosmtpd envelopes)."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on loopback (aiosmtpd), in a thread of its own."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()  # type: ignore[no-untyped-call]
    try:
        yield box, port
    finally:
        controller.stop()  # type: ignore[no-untyped-call]
