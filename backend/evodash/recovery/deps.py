from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from evodash.recovery.runner import Recovery


def get_recovery(request: Request) -> Recovery:
    recovery: Recovery = request.app.state.recovery
    return recovery


RecoveryDep = Annotated[Recovery, Depends(get_recovery)]
