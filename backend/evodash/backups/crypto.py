"""Secrets in a backup are sealed with a key derived from a passphrase, never with the
app's ``SECRET_KEY``: a backup restores on a new server with a different key.

scrypt (n=2^15, r=8, p=1: about 32 MiB and a tenth of a second) derives a 256-bit key
from the passphrase and a random salt kept in the file; each secret is AES-256-GCM with
a random nonce. A known value sealed the same way (``check``) tells a wrong passphrase
from a damaged file before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1:"
CHECK_VALUE = "evodash-backup-check"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 8


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

    @classmethod
    def new(cls, passphrase: str) -> Sealer:
        return cls.derive(passphrase, os.urandom(16))

    @classmethod
    def derive(cls, passphrase: str, salt: bytes) -> Sealer:
        key = hashlib.scrypt(
            passphrase.encode(),
            salt=salt,
            n=SCRYPT_N,
            r=SCRYPT_R,
            p=SCRYPT_P,
            maxmem=64 * 1024 * 1024,
            dklen=32,
        )
        return cls(key, salt)

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
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": _b64(self.salt),
            "cipher": "AES-256-GCM",
            "check": self.seal(CHECK_VALUE),
        }

    @classmethod
    def for_backup(cls, passphrase: str, salt_b64: str, check: str) -> Sealer:
        """The sealer of an existing backup; :class:`WrongPassphrase` if it does not fit."""
        try:
            salt = _unb64(salt_b64)
        except ValueError as exc:
            raise WrongPassphrase("the backup's encryption header is damaged") from exc
        sealer = cls.derive(passphrase, salt)
        if sealer.open(check) != CHECK_VALUE:
            raise WrongPassphrase("the passphrase does not open this backup")
        return sealer
