"""Errors of the alerts domain; each carries its HTTP status (see ``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import Conflict, NotFound, Unprocessable


class AlertNotFound(NotFound):
    code: ClassVar[str] = "alert_not_found"

    def __init__(self) -> None:
        super().__init__("No alert with this id.")


class AlertNotFiring(Conflict):
    code: ClassVar[str] = "alert_not_firing"

    def __init__(self, state: str) -> None:
        super().__init__(
            f"Only a firing alert can be acknowledged or silenced; this one is {state}."
        )


class ChannelNotFound(NotFound):
    code: ClassVar[str] = "alert_channel_not_found"

    def __init__(self) -> None:
        super().__init__("No alert channel with this id.")


class ChannelNameTaken(Conflict):
    code: ClassVar[str] = "alert_channel_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(f'An alert channel named "{name}" already exists.')


class ChannelRefused(Unprocessable):
    """The channel's settings cannot work (a refused URL, an unknown instance…)."""

    code: ClassVar[str] = "alert_channel_refused"


class RuleParamsRefused(Unprocessable):
    code: ClassVar[str] = "alert_rule_params_refused"
