"""Schemathesis hooks for ``make schemathesis`` (loaded through scripts/schemathesis.toml)."""

from __future__ import annotations

import os
from typing import Any

import schemathesis

#: The admin the run is logged in as (created first by scripts/schemathesis_run.py).
FUZZER_ID = int(os.environ.get("EVODASH_FUZZ_USER_ID", "1"))
#: An admin seeded as the target of the cases that would have hit the fuzzer's account.
OTHER_ADMIN_ID = int(os.environ.get("EVODASH_FUZZ_OTHER_ADMIN_ID", "2"))
#: The Evolution server could not be reached, timed out or refused its key (the run edits
#: the server's URL and key): answers that name the Evolution server, and correct ones.
UPSTREAM_ERRORS = {"evolution_unreachable", "evolution_timeout", "evolution_unauthorized"}


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    """Leave alone the account the run is logged in as, for the writes that would lock
    the rest of the run out: a password reset (the run's password is lost) and an update
    (it may deactivate or demote it once the run has created another admin). Such a case
    is sent to the other admin seeded for it instead, so both operations still run."""
    operation = case.operation
    if not operation.path.startswith("/api/users/{user_id}") or operation.method == "get":
        return
    parameters = case.path_parameters
    if isinstance(parameters, dict) and parameters.get("user_id") in (FUZZER_ID, str(FUZZER_ID)):
        parameters["user_id"] = OTHER_ADMIN_ID


@schemathesis.check
def upstream_errors_name_evolution(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 502/504 is only right when the Evolution server failed; every other 5xx is a bug
    (``not_a_server_error`` lets 502 and 504 through to this check, see the config)."""
    if response.status_code not in (502, 504):
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if error not in UPSTREAM_ERRORS or "Evolution server" not in str(body.get("detail")):
        raise AssertionError(
            f"{response.status_code} that does not name an unreachable Evolution server: "
            f"{response.text[:300]}"
        )
    return None
