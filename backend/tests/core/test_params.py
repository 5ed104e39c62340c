"""The body types: integers as JSON Schema has them, booleans as JSON has them."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field, Strict, TypeAdapter, ValidationError

from evodash.core.params import BodyId, Flag, JsonInteger

Bounded = Annotated[int, Strict(), Field(ge=1, le=10), JsonInteger]


@pytest.mark.parametrize("kind", [Bounded, BodyId])
def test_an_integer_is_5_or_5_point_0_never_text_a_boolean_or_a_fraction(kind: object) -> None:
    adapter: TypeAdapter[int] = TypeAdapter(kind)
    assert adapter.validate_json("5") == 5
    assert adapter.validate_json("5.0") == 5  # JSON Schema's "integer" includes 5.0
    assert adapter.validate_python(5.0) == 5 and type(adapter.validate_python(5.0)) is int
    for refused in ('"5"', "true", "5.5", "1e400", "null"):
        with pytest.raises(ValidationError):
            adapter.validate_json(refused)


def test_the_document_keeps_the_bounds() -> None:
    for kind, top in ((Bounded, 10), (BodyId, 2**31 - 1)):
        schema = TypeAdapter(kind).json_schema()
        assert (schema["type"], schema["minimum"], schema["maximum"]) == ("integer", 1, top)


def test_a_body_id_keeps_its_bounds_after_the_conversion() -> None:
    adapter: TypeAdapter[int] = TypeAdapter(BodyId)
    assert adapter.validate_json("2147483647.0") == 2**31 - 1
    for refused in ("0.0", "2147483648.0", "3e266"):
        with pytest.raises(ValidationError):
            adapter.validate_json(refused)


def test_a_flag_is_true_or_false_only() -> None:
    adapter: TypeAdapter[bool] = TypeAdapter(Flag)
    assert adapter.validate_json("true") is True
    for refused in ("1", '"yes"', "0.0"):
        with pytest.raises(ValidationError):
            adapter.validate_json(refused)
