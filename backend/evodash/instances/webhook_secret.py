"""An instance's webhook secret, kept so that a database leak does not reveal it.

Two forms are stored, never the secret itself:

* ``webhook_secret_digest``: HMAC-SHA256 of the secret under a key derived from
  ``SECRET_KEY``. The receiver compares the digest of what a request presents with it,
  in constant time (and caches it): checking needs no decryption.
* ``webhook_secret_encrypted``: the secret under the app's Fernet key, because evodash
  itself must send it to Evolution as the webhook's custom header (``webhook/set``) and
  compare it with what ``webhook/find`` reports (drift).

Rows written before this existed hold the secret in clear in the ``webhook_secret``
column; :func:`seal_legacy_secrets` seals them and empties it, as the last step of an
upgrade (``evodash migrate``, and ``evodash run`` unless ``--no-migrate``): every later
start of a process found nothing to seal and still opened a connection to look.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.security import decrypt, encrypt
from evodash.instances.models import EvolutionInstance

log = structlog.get_logger(__name__)


@lru_cache(maxsize=8)
def _digest_key(app_secret: str) -> bytes:
    return hmac.new(app_secret.encode(), b"evodash webhook secret", hashlib.sha256).digest()


def digest(secret: str, app_secret: str) -> str:
    """The stored (and compared) form of a webhook secret."""
    return hmac.new(_digest_key(app_secret), secret.encode(), hashlib.sha256).hexdigest()


def seal(instance: EvolutionInstance, secret: str, app_secret: str) -> None:
    """Give ``instance`` the webhook secret ``secret`` (digest + encrypted, no clear text);
    ``app_secret`` is ``settings.secret()``."""
    instance.webhook_secret_digest = digest(secret, app_secret)
    instance.webhook_secret_encrypted = encrypt(secret, secret=app_secret)
    instance.legacy_webhook_secret = None


def clear_secret(instance: EvolutionInstance, app_secret: str) -> str:
    """The secret itself, for the header evodash configures on Evolution."""
    if instance.webhook_secret_encrypted:
        return decrypt(instance.webhook_secret_encrypted, secret=app_secret)
    return instance.legacy_webhook_secret or ""


def stored_digest(digest_value: str | None, legacy: str | None, app_secret: str) -> str | None:
    """The digest to compare with, from a row's columns (a legacy row has only clear text)."""
    if digest_value:
        return digest_value
    return digest(legacy, app_secret) if legacy else None


async def seal_legacy_secrets(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> int:
    """Seal the secrets still stored in clear (rows from before the upgrade)."""
    async with sessionmaker() as session:
        rows = (
            await session.scalars(
                select(EvolutionInstance).where(
                    EvolutionInstance.legacy_webhook_secret.is_not(None)
                )
            )
        ).all()
        for instance in rows:
            seal(instance, instance.legacy_webhook_secret or "", settings.secret())
        await session.commit()
    if rows:
        log.info("instances.webhook_secrets_sealed", count=len(rows))
    return len(rows)
