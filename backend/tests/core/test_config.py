from __future__ import annotations

from pathlib import Path

import pytest

from evodash.core.config import ConfigurationError, Settings


def test_defaults_need_no_configuration(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.database_url.startswith("sqlite+aiosqlite")
    key = settings.secret()
    assert len(key) >= 32
    # The generated key is kept: a second process reads the same one.
    again = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert again.secret() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("value", [None, "changeme", "short"])
def test_production_refuses_a_missing_or_placeholder_secret(value: str | None) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings(_env_file=None, environment="production", secret_key=value)  # type: ignore[call-arg, arg-type]


def test_production_accepts_a_real_secret() -> None:
    settings = Settings(
        _env_file=None,
        environment="production",
        secret_key="x" * 48,  # type: ignore[call-arg, arg-type]
    )
    assert settings.secret() == "x" * 48


def test_allowed_numbers_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_PHONE_NUMBERS", "558399330465@s.whatsapp.net, +55 11 98765-4321")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.allowed_phone_numbers == ["558399330465@s.whatsapp.net", "+55 11 98765-4321"]


def test_alert_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's defaults, and each ALERT_* variable read from the environment (issue 14)."""
    for name in (
        "ALERT_DOWN_AFTER_SECONDS",
        "ALERT_CONNECTING_AFTER_SECONDS",
        "ALERT_ZOMBIE_AFTER_SECONDS",
        "ALERT_CHECK_INTERVAL_SECONDS",
        "ALERT_REPEAT_SECONDS",
        "ALERT_WEBHOOK_URLS",
    ):
        monkeypatch.delenv(name, raising=False)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (
        defaults.alert_down_after_seconds,
        defaults.alert_connecting_after_seconds,
        defaults.alert_zombie_after_seconds,
        defaults.alert_check_interval_seconds,
        defaults.alert_webhook_urls,
    ) == (300, 600, 1800, 30, [])

    monkeypatch.setenv("ALERT_DOWN_AFTER_SECONDS", "120")
    monkeypatch.setenv("ALERT_CONNECTING_AFTER_SECONDS", "900")
    monkeypatch.setenv("ALERT_ZOMBIE_AFTER_SECONDS", "3600")
    monkeypatch.setenv("ALERT_CHECK_INTERVAL_SECONDS", "15")
    monkeypatch.setenv("ALERT_REPEAT_SECONDS", "0")
    monkeypatch.setenv(
        "ALERT_WEBHOOK_URLS", "https://hooks.example.com/a, https://ops.example.com/b?x=1"
    )
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (
        settings.alert_down_after_seconds,
        settings.alert_connecting_after_seconds,
        settings.alert_zombie_after_seconds,
        settings.alert_check_interval_seconds,
        settings.alert_repeat_seconds,
    ) == (120, 900, 3600, 15, 0)
    assert settings.alert_webhook_urls == [
        "https://hooks.example.com/a",
        "https://ops.example.com/b?x=1",
    ]
    monkeypatch.setenv("ALERT_DOWN_AFTER_SECONDS", "0")
    with pytest.raises(ValueError, match="alert_down_after_seconds"):
        Settings(_env_file=None)  # type: ignore[call-arg]
