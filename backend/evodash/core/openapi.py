"""The OpenAPI document, made to tell the truth about the errors every operation answers.

Routes declare the errors of their own service calls (``responses=error_responses(...)``).
What is common is added here, from what the route is made of, so that no route can forget:

- a dependency marked with :func:`raises` (the caller lookup: 401; a role: 403; an
  instance lookup: 404, 409…) adds its statuses to every route that uses it;
- a route with a request body answers 400 (not JSON), 413 (over the size limit) and 422;
- a route with parameters answers 422 with evodash's own body (``ValidationErrorRead``),
  never FastAPI's ``HTTPValidationError``, which the app does not send;
- a cookie-authenticated unsafe request without its CSRF token answers 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from evodash.core.params import MAX_INT64
from evodash.core.schemas import ERROR_DESCRIPTIONS, ErrorRead, ValidationErrorRead

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "__evodash_errors__"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def raises(*codes: int) -> Callable[[F], F]:
    """Mark a dependency: every route that uses it can answer these statuses."""

    def mark(function: F) -> F:
        setattr(function, _ATTRIBUTE, (*getattr(function, _ATTRIBUTE, ()), *codes))
        return function

    return mark


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def route_errors(route: APIRoute) -> set[int]:
    """Every error status this route can answer besides those of its service calls."""
    codes: set[int] = set()
    unsafe = not (route.methods or set()) <= SAFE_METHODS
    for sub in _dependencies(route.dependant):
        codes.update(getattr(sub.call, _ATTRIBUTE, ()))
        if unsafe and getattr(sub.call, "__evodash_cookie_auth__", False):
            codes.add(403)
    flat = route.dependant
    has_params = any(
        list(_all(flat, attribute))
        for attribute in ("path_params", "query_params", "header_params", "cookie_params")
    )
    if route.body_field is not None:
        codes.update((400, 413, 422))
    if has_params:
        codes.add(422)
    return codes


def _all(dependant: Dependant, attribute: str) -> Iterator[Any]:
    yield from getattr(dependant, attribute)
    for sub in _dependencies(dependant):
        yield from getattr(sub, attribute)


def _fix_bounds(node: Any) -> None:
    """FastAPI's document model holds ``maximum`` as a float: 2**63 - 1 becomes 2**63, one
    more than the API accepts. Put the exact integers back."""
    if isinstance(node, dict):
        for key in ("minimum", "maximum"):
            value = node.get(key)
            if isinstance(value, float) and value.is_integer():
                node[key] = MAX_INT64 if value >= MAX_INT64 else int(value)
        for child in node.values():
            _fix_bounds(child)
    elif isinstance(node, list):
        for child in node:
            _fix_bounds(child)


_REF = "#/components/schemas/{model}"


def _error_entry(code: int) -> dict[str, Any]:
    model = "ValidationErrorRead" if code == 422 else "ErrorRead"
    return {
        "description": ERROR_DESCRIPTIONS.get(code, "Error"),
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=model)}}},
    }


def _replace_refs(node: Any, old: str, new: str) -> None:
    if isinstance(node, dict):
        if node.get("$ref") == old:
            node["$ref"] = new
        for child in node.values():
            _replace_refs(child, old, new)
    elif isinstance(node, list):
        for child in node:
            _replace_refs(child, old, new)


def complete(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Add the errors each route can answer; use evodash's 422 body everywhere."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorRead, ValidationErrorRead):
        definition = model.model_json_schema(ref_template=_REF)
        components.update(definition.pop("$defs", {}))
        components.setdefault(model.__name__, definition)
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        path = context.path_format or route.path_format
        path_item = schema.get("paths", {}).get(path, {})
        for method in route.methods or ():
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code in sorted(route_errors(route)):
                responses.setdefault(str(code), _error_entry(code))
    _replace_refs(
        schema,
        _REF.format(model="HTTPValidationError"),
        _REF.format(model="ValidationErrorRead"),
    )
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    _fix_bounds(schema)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the complete document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(app, FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
