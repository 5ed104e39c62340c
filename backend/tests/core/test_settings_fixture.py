"""The ``settings`` fixture copies settings validated once; a copy must be what
validating the same values gives (a validator that derives one field from another would
otherwise be skipped)."""

from __future__ import annotations

from pathlib import Path

from evodash.core.config import Settings


def test_the_copy_is_what_validation_gives(settings: Settings, tmp_path: Path) -> None:
    assert settings.data_dir == tmp_path / "data"
    assert Settings(_env_file=None, **settings.model_dump()) == settings


def test_a_change_stays_in_its_test(settings: Settings, base_settings: Settings) -> None:
    settings.allowed_phone_numbers.append("+5511987654321")
    assert base_settings.allowed_phone_numbers == []
