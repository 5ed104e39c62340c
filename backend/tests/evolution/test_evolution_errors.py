"""The domain errors: their HTTP statuses, their bases, how the API renders them."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from evodash.core.errors import (
    AppError,
    Conflict,
    NotFound,
    UpstreamError,
    UpstreamTimeout,
    install_error_handlers,
)
from evodash.evolution import (
    EvolutionConflict,
    EvolutionError,
    EvolutionNotFound,
    EvolutionRejected,
    EvolutionTimeout,
    EvolutionUnauthorized,
    EvolutionUnexpectedAnswer,
    EvolutionUnreachable,
    flatten_message,
)
from tests import loopback


class TestFlattenMessage:
    @pytest.mark.parametrize(
        ("message", "flat"),
        [
            (None, ""),
            ("Unauthorized", "Unauthorized"),
            ("  Connection Closed \n", "Connection Closed"),
            (["Invalid integration"], "Invalid integration"),
            (["a", "b"], "a; b"),
            (
                [['instance requires property "number"', 'instance requires property "text"']],
                'instance requires property "number"; instance requires property "text"',
            ),
            (
                [
                    {
                        "jid": "5521900000000@s.whatsapp.net",
                        "exists": False,
                        "number": "5521900000000",
                    }
                ],
                "5521900000000 is not on WhatsApp",
            ),
            ([{"code": 7, "ok": True}], '{"code": 7, "ok": true}'),
            ({"reason": "ação"}, '{"reason": "ação"}'),
            (["", [], None, " x "], "x"),
            ([["a", ["b", ["c"]]], "d"], "a; b; c; d"),
            ([], ""),
            (404, "404"),
            (True, "true"),
            (
                ["PrismaClientValidationError: \nInvalid `prisma.instance.findMany()`"],
                "PrismaClientValidationError: \nInvalid `prisma.instance.findMany()`",
            ),
        ],
    )
    def test_shapes(self, message: object, flat: str) -> None:
        assert flatten_message(message) == flat


@pytest.mark.parametrize(
    ("cls", "status", "base", "code"),
    [
        (EvolutionUnreachable, 502, UpstreamError, "evolution_unreachable"),
        (EvolutionTimeout, 504, UpstreamTimeout, "evolution_timeout"),
        (EvolutionUnauthorized, 502, UpstreamError, "evolution_unauthorized"),
        (EvolutionNotFound, 404, NotFound, "evolution_instance_not_found"),
        (EvolutionConflict, 409, Conflict, "evolution_conflict"),
        (EvolutionRejected, 502, UpstreamError, "evolution_rejected"),
        (EvolutionUnexpectedAnswer, 502, UpstreamError, "evolution_unexpected_answer"),
    ],
)
def test_error_classes(
    cls: type[EvolutionError], status: int, base: type[AppError], code: str
) -> None:
    error = cls("readable")
    assert isinstance(error, EvolutionError)
    assert isinstance(error, base)
    assert error.status_code == status
    assert error.code == code
    assert error.detail == "readable"
    assert error.extra == {}


async def test_rendered_by_the_app_error_handler() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise EvolutionRejected(
            'Evolution could not log out instance "x": The "x" instance is not connected',
            evolution_status=400,
            evolution_message='The "x" instance is not connected',
        )

    transport = httpx.ASGITransport(app=app)
    async with loopback.client(transport=transport, base_url="http://app") as http:
        response = await http.get("/boom")
    assert response.status_code == 502
    assert response.json() == {
        "error": "evolution_rejected",
        "detail": 'Evolution could not log out instance "x": The "x" instance is not connected',
        "evolution_status": 400,
        "evolution_message": 'The "x" instance is not connected',
    }
