"""The backup's sealing: scrypt's parameters travel in the header and are bounded on import."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from pydantic import ValidationError

from evodash.backups import crypto
from evodash.backups.crypto import (
    PRODUCTION_COST,
    TEST_COST,
    ScryptCost,
    Sealer,
    WrongPassphrase,
)
from evodash.backups.schemas import Encryption
from evodash.core import security

PASSPHRASE = "correct horse battery staple"
# A header and a secret sealed before the parameters were read from the header (n=2^15,
# r=8, p=1, as every backup then): such files must keep opening.
OLD_HEADER = {
    "kdf": "scrypt",
    "n": 32768,
    "r": 8,
    "p": 1,
    "salt": "AAECAwQFBgcICQoLDA0ODw==",
    "cipher": "AES-256-GCM",
    "check": "v1:7oFGyc/PXrZuvXTwhp0VZVGGlu3390O9fAJFvS+FYr7wpiHKdbJYfp8XBtwIUbMY",
}
OLD_SECRET = "v1:cjVGaupkff6elLFNIy6KViwiLaDspDNY8hKW9ZX7YrRQjZGpeEh01m8S+7RK"


def _open(header: dict[str, Any], passphrase: str = PASSPHRASE) -> Sealer:
    cost = ScryptCost(header["n"], header["r"], header["p"])
    return Sealer.for_backup(passphrase, header["salt"], header["check"], cost)


def test_a_backup_sealed_with_the_old_fixed_parameters_still_opens() -> None:
    assert _open(OLD_HEADER).open(OLD_SECRET) == "sk-evolution-0123"


def test_new_backups_take_production_parameters_outside_tests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(security, "_hashing_environment", "production")
    header = Sealer.new(PASSPHRASE).encryption_header()
    assert (header["n"], header["r"], header["p"]) == (2**15, 8, 1)
    monkeypatch.setattr(security, "_hashing_environment", "test")
    header = Sealer.new(PASSPHRASE).encryption_header()
    assert (header["n"], header["r"], header["p"]) == (TEST_COST.n, TEST_COST.r, TEST_COST.p)
    assert TEST_COST.work * 16 == PRODUCTION_COST.work


def test_the_header_s_parameters_derive_the_key() -> None:
    sealer = Sealer.new(PASSPHRASE, ScryptCost(2**14, 2, 1))
    header = sealer.encryption_header()
    secret = sealer.seal("token-1")
    assert _open(header).open(secret) == "token-1"
    # The same salt and passphrase under other parameters is another key.
    with pytest.raises(WrongPassphrase):
        _open({**header, "r": 1})
    with pytest.raises(WrongPassphrase):
        _open(header, "not the passphrase")


@pytest.mark.parametrize(
    ("cost", "reason"),
    [
        (ScryptCost(20_000, 1, 1), "power of two"),
        (ScryptCost(2**16, 8, 1), "more work"),
        (ScryptCost(2**14, 8, 16), "more work"),
        (ScryptCost(2**20, 2, 1), "more work"),
        (ScryptCost(2**16, 1, 1), "less than 2^(16·r)"),
        (ScryptCost(2**14, 10**9, 1), "more work"),  # never 2^(16·r) computed
    ],
)
def test_parameters_an_import_refuses_are_never_derived(
    monkeypatch: pytest.MonkeyPatch, cost: ScryptCost, reason: str
) -> None:
    assert reason in (cost.problem() or "")
    called: list[object] = []
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **k: called.append(a))
    with pytest.raises(WrongPassphrase, match="damaged"):
        _open({**OLD_HEADER, "n": cost.n, "r": cost.r, "p": cost.p})
    with pytest.raises(ValueError, match="refused"):
        Sealer.derive(PASSPHRASE, b"0" * 16, cost)
    assert called == []


def test_the_most_work_accepted_is_production_s() -> None:
    for cost in (PRODUCTION_COST, ScryptCost(2**14, 16, 1), ScryptCost(2**14, 1, 16)):
        assert cost.problem() is None
    assert PRODUCTION_COST.work == crypto.MAX_WORK
    assert PRODUCTION_COST.memory <= crypto.MAX_MEMORY


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n": 20_000}, "Input should be 16384"),
        ({"n": 2**20}, "Input should be 16384"),
        ({"n": 2**16, "r": 8}, "more work"),
        ({"r": 17}, "less than or equal to 16"),
        ({"p": 0}, "greater than or equal to 1"),
        ({"n": 2**18, "r": 1}, "less than 2"),
    ],
)
def test_the_schema_refuses_a_header_an_import_would_refuse(
    change: dict[str, int], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Encryption.model_validate({**OLD_HEADER, **change})
    assert Encryption.model_validate(OLD_HEADER).n == 2**15
