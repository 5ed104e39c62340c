"""Analyse each FastAPI route once per test process, not once per app.

Almost every test builds an app of its own (``create_app`` + lifespan). FastAPI includes
routers lazily: an app's first requests analyse the signature of every route on their way
(its dependencies, its body, a pydantic model field for each declared response), and that
analysis was most of the suite's CPU time, the same work for every app since the routes
are module-level objects. The analysis only depends on the endpoint, its path and its
dependencies, never on the app, and FastAPI does not change its results afterwards (an
app's dependency overrides are looked up at request time), so the test process keeps
them.

The routes an app's requests meet are built once per process too (FastAPI's
``_EffectiveRouteContext``: the route's path, responses and request handler as its router
includes it), keyed by the route and everything of the inclusion but the app. The handler
they share looks dependency overrides up on the app that built it first: no test overrides
a dependency (the suite's apps differ by their settings, which requests read from
``request.app.state``), and the test apps' :class:`NoOverrides` refuses one.

The wrapped functions are private to FastAPI: :func:`install` checks that they exist and
have the signature it expects, and fails loudly otherwise (a FastAPI upgrade then shows
here, not as a slow suite).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from fastapi import params, routing

_EXPECTED = {
    "_build_dependant_with_parameterless_dependencies": ["path", "call", "dependencies"],
    "create_model_field": ["name", "type_", "default", "field_info", "alias", "mode"],
    "_get_body_field": ["body_params", "name", "embed_body_fields"],
}


def _checked(name: str) -> Callable[..., Any]:
    function: Callable[..., Any] | None = getattr(routing, name, None)
    if function is None or list(inspect.signature(function).parameters) != _EXPECTED[name]:
        raise RuntimeError(
            f"fastapi.routing.{name} is not what tests/route_analysis_cache.py expects: "
            "update it for this FastAPI version"
        )
    return function


class NoOverrides(dict[Any, Any]):
    """A test app's ``dependency_overrides``: setting one fails loudly, since the request
    handlers shared between apps would not see it."""

    def _refuse(self, *_: Any, **__: Any) -> None:
        raise RuntimeError(
            "tests/route_analysis_cache.py shares request handlers between apps: "
            "a test app cannot override dependencies"
        )

    __setitem__ = update = setdefault = _refuse  # type: ignore[assignment]


def _hashable(key: tuple[Any, ...]) -> Hashable | None:
    try:
        hash(key)
    except TypeError:
        return None
    return key


def install() -> None:
    if getattr(routing, "_evodash_test_cache", False):
        return
    build = _checked("_build_dependant_with_parameterless_dependencies")
    create_field = _checked("create_model_field")
    body_field = _checked("_get_body_field")
    dependants: dict[Hashable, Any] = {}
    fields: dict[Hashable, Any] = {}
    bodies: dict[Hashable, Any] = {}

    def cached_build(
        *, path: str, call: Callable[..., Any], dependencies: Sequence[params.Depends]
    ) -> Any:
        key = _hashable((path, call, tuple(dependencies)))
        if key is None:
            return build(path=path, call=call, dependencies=dependencies)
        if key not in dependants:
            dependants[key] = build(path=path, call=call, dependencies=dependencies)
        return dependants[key]

    def cached_field(name: str, type_: Any, **kwargs: Any) -> Any:
        # Only the calls routing makes (name, type, mode); anything else is built afresh.
        key = _hashable((name, type_, kwargs.get("mode"))) if kwargs.keys() <= {"mode"} else None
        if key is None:
            return create_field(name, type_, **kwargs)
        if key not in fields:
            fields[key] = create_field(name, type_, **kwargs)
        return fields[key]

    def cached_body(*, body_params: list[Any], name: str, embed_body_fields: bool) -> Any:
        # body_params come from a cached dependant: the same objects for the same route.
        key = (tuple(id(param) for param in body_params), name, embed_body_fields)
        if key not in bodies:
            bodies[key] = (
                body_field(body_params=body_params, name=name, embed_body_fields=embed_body_fields),
                body_params,  # keeps the ids of the key from being reused
            )
        return bodies[key][0]

    from_api_route = routing._EffectiveRouteContext.from_api_route
    if list(inspect.signature(from_api_route).parameters) != ["original_route", "include_context"]:
        raise RuntimeError(
            "fastapi.routing._EffectiveRouteContext.from_api_route is not what "
            "tests/route_analysis_cache.py expects: update it for this FastAPI version"
        )
    contexts: dict[int, list[tuple[Any, Any]]] = {}

    def cached_context(original_route: Any, include_context: Any) -> Any:
        without_app = dataclasses.replace(include_context, dependency_overrides_provider=None)
        known = contexts.setdefault(id(original_route), [])
        for inclusion, context in known:
            if inclusion == without_app:
                return context
        context = from_api_route(original_route=original_route, include_context=include_context)
        known.append((without_app, context))
        return context

    routing._EffectiveRouteContext.from_api_route = classmethod(  # type: ignore[method-assign,assignment]
        lambda cls, *, original_route, include_context: cached_context(
            original_route, include_context
        )
    )

    replacements = {
        "_build_dependant_with_parameterless_dependencies": cached_build,
        "create_model_field": cached_field,
        "_get_body_field": cached_body,
        "_evodash_test_cache": True,
    }
    for name, value in replacements.items():
        setattr(routing, name, value)
