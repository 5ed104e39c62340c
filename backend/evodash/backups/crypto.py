"""Secrets in a backup are sealed with a key derived from a passphrase, never with the
app's ``SECRET_KEY``: a backup restores on a new server with a different key.

scrypt derives a 256-bit key from the passphrase and a random salt; each secret is
AES-256-GCM with a random nonce. The file's header keeps the salt and scrypt's parameters,
and an import derives the key with the parameters the header names, so a backup opens
whatever the exporting server's parameters were. A known value sealed the same way
(``check``) tells a wrong passphrase from a damaged file before anything is written.

New backups use n=2^15, r=8, p=1 (32 MiB, about a tenth of a second). Under
``ENVIRONMENT=test``, as for passwords (:func:`evodash.core.security.cheap_hashing`),
n=2^14, r=1: a sixteenth of the work, for suites that export and import hundreds of
times. A header is a sender's input: an import refuses parameters that would cost more
work or memory than the production ones (:class:`ScryptCost`), before deriving anything.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from evodash.core.security import cheap_hashing

PREFIX = "v1:"
CHECK_VALUE = "evodash-backup-check"
MIN_PASSPHRASE = 8


@dataclass(frozen=True, slots=True)
class ScryptCost:
    """scrypt's parameters: ``n`` (a power of two), ``r`` and ``p``."""

    n: int
    r: int
    p: int

    @property
    def work(self) -> int:
        """Proportional to scrypt's CPU time."""
        return self.n * self.r * self.p

    @property
    def memory(self) -> int:
        """Bytes scrypt needs (128 · r · n)."""
        return 128 * self.r * self.n

    def problem(self) -> str | None:
        """Why an import refuses these parameters; ``None`` when it takes them."""
        if self.n < 2 or self.n & (self.n - 1):
            return f"n must be a power of two, got {self.n}"
        if self.n.bit_length() - 1 >= 16 * self.r:  # scrypt's own rule (RFC 7914)
            return f"n must be less than 2^(16·r) (r={self.r})"
        if self.work > MAX_WORK:
            return f"n·r·p = {self.work} is more work than evodash's own backups take ({MAX_WORK})"
        if self.memory > MAX_MEMORY:
            return f"128·r·n = {self.memory} bytes is more memory than {MAX_MEMORY}"
        return None


#: What new backups use.
PRODUCTION_COST = ScryptCost(n=2**15, r=8, p=1)
#: What new backups use under ``ENVIRONMENT=test``.
TEST_COST = ScryptCost(n=2**14, r=1, p=1)
#: The most an import derives with: no file costs more than one of evodash's own.
MAX_WORK = PRODUCTION_COST.work
MAX_MEMORY = 64 * 1024 * 1024


class WrongPassphrase(ValueError):
    """The passphrase does not open this backup."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


@dataclass(frozen=True)
class Sealer:
    key: bytes
    salt: bytes
    cost: ScryptCost

    @classmethod
    def new(cls, passphrase: str, cost: ScryptCost | None = None) -> Sealer:
        if cost is None:
            cost = TEST_COST if cheap_hashing() else PRODUCTION_COST
        return cls.derive(passphrase, os.urandom(16), cost)

    @classmethod
    def derive(cls, passphrase: str, salt: bytes, cost: ScryptCost) -> Sealer:
        if (problem := cost.problem()) is not None:
            raise ValueError(f"scrypt parameters refused: {problem}")
        key = hashlib.scrypt(
            passphrase.encode(),
            salt=salt,
            n=cost.n,
            r=cost.r,
            p=cost.p,
            # scrypt needs a little more than 128·r·n; the bound itself is MAX_MEMORY.
            maxmem=2 * MAX_MEMORY,
            dklen=32,
        )
        return cls(key, salt, cost)

    def seal(self, value: str) -> str:
        nonce = os.urandom(12)
        return PREFIX + _b64(nonce + AESGCM(self.key).encrypt(nonce, value.encode(), None))

    def open(self, sealed: str) -> str:
        try:
            if not sealed.startswith(PREFIX):
                raise ValueError("not a sealed value")
            raw = _unb64(sealed[len(PREFIX) :])
            return AESGCM(self.key).decrypt(raw[:12], raw[12:], None).decode()
        except (InvalidTag, ValueError) as exc:
            raise WrongPassphrase("the passphrase does not open this backup") from exc

    def encryption_header(self) -> dict[str, object]:
        return {
            "kdf": "scrypt",
            "n": self.cost.n,
            "r": self.cost.r,
            "p": self.cost.p,
            "salt": _b64(self.salt),
            "cipher": "AES-256-GCM",
            "check": self.seal(CHECK_VALUE),
        }

    @classmethod
    def for_backup(cls, passphrase: str, salt_b64: str, check: str, cost: ScryptCost) -> Sealer:
        """The sealer of an existing backup, derived with the parameters its header names;
        :class:`WrongPassphrase` if it does not fit (or the header is damaged)."""
        try:
            salt = _unb64(salt_b64)
        except ValueError as exc:
            raise WrongPassphrase("the backup's encryption header is damaged") from exc
        try:  # the schema refuses costly parameters first: this never derives with them
            sealer = cls.derive(passphrase, salt, cost)
        except ValueError as exc:
            raise WrongPassphrase("the backup's encryption header is damaged") from exc
        if sealer.open(check) != CHECK_VALUE:
            raise WrongPassphrase("the passphrase does not open this backup")
        return sealer
