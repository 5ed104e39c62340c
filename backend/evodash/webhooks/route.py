"""A lean route class for the webhook receiver (thousands of requests a second).

FastAPI documents the receiver from its endpoint's signature, as any other route; at run
time :class:`ReceiverRoute` calls that endpoint itself instead of through FastAPI's
dependency solver, which costs more than everything the receiver does. Its parameters are
few and fixed: the path parameters (validated here, with the same 422 as FastAPI's),
the secret header, the request and the process's webhook pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import Field, TypeAdapter, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from evodash.webhooks import SECRET_HEADER

MAX_INSTANCE_ID = 2**31 - 1
EVENT_NAME_PATTERN = r"^[A-Za-z0-9_.-]+$"

_PARAMS: dict[str, TypeAdapter[Any]] = {
    "instance_id": TypeAdapter(Annotated[int, Field(ge=1, le=MAX_INSTANCE_ID)]),
    "event_name": TypeAdapter(Annotated[str, Field(max_length=64, pattern=EVENT_NAME_PATTERN)]),
}


def _path_params(request: Request) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for name, raw in request.path_params.items():
        try:
            values[name] = _PARAMS[name].validate_python(raw)
        except ValidationError as exc:
            errors += [{**e, "loc": ("path", name, *e["loc"])} for e in exc.errors()]
    if errors:
        raise RequestValidationError(errors)
    return values


class ReceiverRoute(APIRoute):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handler = self.get_route_handler()

        async def lean_app(scope: Scope, receive: Receive, send: Send) -> None:
            response = await handler(Request(scope, receive, send))
            await response(scope, receive, send)

        #: The route as the app's lean way in for webhooks calls it (``main.EvodashApp``):
        #: without FastAPI's per-request exit stacks (the handler has no dependencies to
        #: close) and exception wrapper (the exception middleware around it has the same
        #: handlers).
        self.lean_app: ASGIApp = lean_app

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            response: Response = await endpoint(
                request=request,
                tasks=request.app.state.webhook_tasks,
                secret=request.headers.get(SECRET_HEADER),
                **_path_params(request),
            )
            return response

        return handler
