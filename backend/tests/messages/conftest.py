from __future__ import annotations

from tests.webhooks.conftest import (
    admin_headers,
    instances,
    operator_headers,
    viewer_headers,
)

__all__ = ["admin_headers", "instances", "operator_headers", "viewer_headers"]
