"""The rule kinds, their parameters (with bounds) and their defaults.

A rule is on with the defaults until an admin changes it (a row of ``alert_rule`` then
holds what they set). Each rule has a *hold*: how long its condition must last before it
fires (0 for the rules whose condition already counts time or events).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evodash.alerts.models import AlertRule, RuleKind
from evodash.core.config import Settings

#: Bounds of every parameter (inclusive); the schemas and the documentation use them.
BOUNDS: dict[str, tuple[int, int]] = {
    "threshold_seconds": (1, 7 * 86_400),
    "transitions": (2, 1000),
    "window_minutes": (1, 1440),
    "failures": (1, 100),
    "rate_percent": (1, 100),
    "min_jobs": (1, 10_000),
}

#: The parameters each kind takes.
PARAMS: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.down: ("threshold_seconds",),
    RuleKind.connecting: ("threshold_seconds",),
    RuleKind.zombie: ("threshold_seconds",),
    RuleKind.flapping: ("transitions", "window_minutes"),
    RuleKind.server_unreachable: ("threshold_seconds",),
    RuleKind.forward_failing: ("failures",),
    RuleKind.jobs_failing: ("rate_percent", "min_jobs", "window_minutes"),
    RuleKind.backup_failed: (),
}

#: Kinds whose condition must hold for ``threshold_seconds`` before they fire. (The
#: zombie's threshold is the silence before probing: the failed probe fires at once.)
HELD = frozenset({RuleKind.down, RuleKind.connecting, RuleKind.server_unreachable})


def defaults(kind: RuleKind, settings: Settings) -> dict[str, int]:
    match kind:
        case RuleKind.down:
            return {"threshold_seconds": settings.alert_down_after_seconds}
        case RuleKind.connecting:
            return {"threshold_seconds": settings.alert_connecting_after_seconds}
        case RuleKind.zombie:
            return {"threshold_seconds": settings.alert_zombie_after_seconds}
        case RuleKind.flapping:
            return {"transitions": 6, "window_minutes": 10}
        case RuleKind.server_unreachable:
            return {"threshold_seconds": settings.alert_server_after_seconds}
        case RuleKind.forward_failing:
            return {"failures": 5}
        case RuleKind.jobs_failing:
            return {"rate_percent": 50, "min_jobs": 5, "window_minutes": 60}
        case RuleKind.backup_failed:
            return {}  # evaluated only when automatic backups are configured


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    enabled: bool
    params: dict[str, int]
    customized: bool = False

    def param(self, name: str) -> int:
        return self.params[name]

    @property
    def hold_seconds(self) -> float:
        return float(self.params["threshold_seconds"]) if self.kind in HELD else 0.0


def effective(kind: RuleKind, row: AlertRule | None, settings: Settings) -> Rule:
    """The rule as it applies: the defaults, overridden by what an admin stored."""
    params = defaults(kind, settings)
    if row is None:
        return Rule(kind, True, params)
    for name, value in (row.params or {}).items():
        if name in params and isinstance(value, int) and not isinstance(value, bool):
            low, high = BOUNDS[name]
            params[name] = min(max(value, low), high)
    return Rule(kind, row.enabled, params, customized=True)


def clean_params(kind: RuleKind, given: dict[str, Any]) -> dict[str, int]:
    """The parameters of ``given`` that ``kind`` takes (the schema bounded them)."""
    return {k: int(v) for k, v in given.items() if k in PARAMS[kind] and v is not None}
