"""argon2 parameters: production cost by default, minimal cost under ENVIRONMENT=test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evodash.core import security
from evodash.core.config import Settings
from evodash.main import create_app


@pytest.fixture
def restore_hashing() -> Iterator[None]:
    yield
    security.configure_password_hashing("test")


def _params(password_hash: str) -> str:
    # $argon2id$v=19$m=65536,t=3,p=4$salt$hash
    return password_hash.split("$")[3]


class TestHashingParameters:
    def test_test_environment_hashes_cheaply(self, restore_hashing: None) -> None:
        security.configure_password_hashing("test")
        assert _params(security.hash_password("pw")) == "m=8,t=1,p=1"

    @pytest.mark.parametrize("environment", ["production", "development"])
    def test_other_environments_use_production_cost(
        self, environment: str, restore_hashing: None
    ) -> None:
        security.configure_password_hashing(environment)
        assert _params(security.hash_password("pw")) == "m=65536,t=3,p=4"

    def test_hashes_verify_across_parameters(self, restore_hashing: None) -> None:
        security.configure_password_hashing("test")
        cheap = security.hash_password("pw")
        security.configure_password_hashing("production")
        assert security.verify_password("pw", cheap)
        assert not security.verify_password("other", cheap)

    def test_create_app_configures_from_settings(
        self, settings: Settings, restore_hashing: None
    ) -> None:
        security.configure_password_hashing("production")
        create_app(settings)  # settings.environment == "test"
        assert _params(security.hash_password("pw")) == "m=8,t=1,p=1"
