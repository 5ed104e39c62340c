"""Customer reconnect links: created by operators for one instance, used without a login.

The token (128 random bits) travels in the URL's fragment (``/reconnect#<token>``), which
browsers never send to a server, and in request bodies: it reaches no access log. Only its
SHA-256 is stored. A link works until it expires, is revoked, or the instance connects
through it; then it answers 404 with the reason (only the token's holder learns it). A
single-use link is also claimed by the first browser that starts pairing: the claim it
receives (128 bits, stored hashed) must come with every later request, so the link opens
nowhere else. The QR or pairing code is shown only once pairing was started through the
link. Wrong PINs and unknown tokens are throttled guesses (``LoginThrottle``, shared across
processes through Redis).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from evodash.auth.errors import LoginThrottled
from evodash.auth.throttle import Attempt, LoginThrottle, Throttled
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.errors import Conflict
from evodash.instances import actions
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.instances.schemas import ConnectRequest
from evodash.reconnect.errors import LinkExpired, LinkNotFound, LinkRevoked, LinkUsed, WrongPin
from evodash.reconnect.models import ReconnectLink
from evodash.reconnect.schemas import (
    PublicAccess,
    PublicConnect,
    PublicState,
    ReconnectLinkCreate,
    ReconnectLinkCreated,
    ReconnectLinkRead,
)
from evodash.teams.scope import scope_for
from evodash.users import audit
from evodash.users.models import Role, User

TOKEN_BYTES = 16  # 128 bits
#: Links that still work, per instance.
MAX_ACTIVE = 20
LIST_LIMIT = 50
PAGE_PATH = "/reconnect"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pin_hash(settings: Settings, digest: str, pin: str) -> str:
    key = settings.secret_key.get_secret_value().encode() if settings.secret_key else b""
    return hmac.new(key, f"{digest}:{pin}".encode(), hashlib.sha256).hexdigest()


def _active(link: ReconnectLink, now: datetime) -> bool:
    return link.revoked_at is None and link.used_at is None and link.expires_at > now


def _read(link: ReconnectLink, now: datetime) -> ReconnectLinkRead:
    return ReconnectLinkRead(
        id=link.id,
        instance_id=link.instance_id,
        created_at=link.created_at,
        expires_at=link.expires_at,
        pin_protected=link.pin_hash is not None,
        single_use=link.single_use,
        opened_at=link.opened_at,
        used_at=link.used_at,
        revoked_at=link.revoked_at,
        revoked_reason=link.revoked_reason,
        active=_active(link, now),
    )


async def create(
    session: AsyncSession,
    settings: Settings,
    instance: EvolutionInstance,
    body: ReconnectLinkCreate,
    *,
    actor: User,
    ip: str | None,
) -> ReconnectLinkCreated:
    now = utcnow()
    r = ReconnectLink
    working = await session.scalar(
        select(func.count()).where(
            r.instance_id == instance.id,
            r.revoked_at.is_(None),
            r.used_at.is_(None),
            r.expires_at > now,
        )
    )
    if (working or 0) >= MAX_ACTIVE:
        raise Conflict(f"This instance already has {MAX_ACTIVE} working links: revoke some.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    digest = token_hash(token)
    link = ReconnectLink(
        instance_id=instance.id,
        token_hash=digest,
        pin_hash=_pin_hash(settings, digest, body.pin) if body.pin else None,
        created_by=actor.id,
        created_at=now,
        expires_at=now + timedelta(hours=body.expires_in_hours),
        single_use=body.single_use,
    )
    session.add(link)
    await session.flush()
    audit.record(
        session,
        actor,
        "reconnect_link.create",
        object_type="instance",
        object_id=instance.id,
        detail={
            "link_id": link.id,
            "expires_at": link.expires_at.isoformat(),
            "pin": link.pin_hash is not None,
            "single_use": link.single_use,
        },
        ip=ip,
    )
    url = f"{settings.public_base_url.rstrip('/')}{PAGE_PATH}#{token}"
    return ReconnectLinkCreated(**_read(link, now).model_dump(), url=url)


async def list_links(session: AsyncSession, instance: EvolutionInstance) -> list[ReconnectLinkRead]:
    r = ReconnectLink
    stmt = (
        select(r)
        .where(r.instance_id == instance.id)
        .order_by(r.created_at.desc(), r.id.desc())
        .limit(LIST_LIMIT)
    )
    now = utcnow()
    return [_read(link, now) for link in (await session.scalars(stmt)).all()]


async def revoke(
    session: AsyncSession,
    instance: EvolutionInstance,
    link_id: int,
    *,
    actor: User,
    ip: str | None,
) -> None:
    link = await session.get(ReconnectLink, link_id)
    if link is None or link.instance_id != instance.id:
        raise LinkNotFound()
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        link.revoked_reason = "revoked"
        audit.record(
            session,
            actor,
            "reconnect_link.revoke",
            object_type="instance",
            object_id=instance.id,
            detail={"link_id": link.id},
            ip=ip,
        )
        await session.flush()


# --- the public side ------------------------------------------------------------------------


async def _guess(throttle: LoginThrottle, what: str, who: str) -> Attempt:
    try:
        return await throttle.reserve_guess(what, who)
    except Throttled as exc:
        raise LoginThrottled(exc.retry_after) from exc


async def _open(
    session: AsyncSession, throttle: LoginThrottle, token: str, claim: str | None, ip: str
) -> tuple[ReconnectLink, EvolutionInstance]:
    """The working link of ``token`` and its instance. An unknown token is a failed guess
    of the address (after a few, 429 until the backoff passes); a known one that stopped
    working says why (404 too). A claimed single-use link works with its claim only."""
    r = ReconnectLink
    stmt = (
        select(r, EvolutionInstance)
        .join(EvolutionInstance)
        .where(r.token_hash == token_hash(token))
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        attempt = await _guess(throttle, "reconnect-token", ip)
        await attempt.failed()
        raise LinkNotFound()
    link, instance = row
    if link.used_at is not None:
        raise LinkUsed()
    if link.revoked_at is not None or instance.deleted_at is not None:
        raise LinkRevoked()
    if link.expires_at <= utcnow():
        raise LinkExpired()
    if link.claim_hash is not None and (
        claim is None or not hmac.compare_digest(link.claim_hash, token_hash(claim))
    ):
        raise LinkUsed()
    return link, instance


async def _check_pin(
    settings: Settings, throttle: LoginThrottle, link: ReconnectLink, pin: str | None
) -> bool:
    """True when the link needs no PIN or ``pin`` is right; None given: False."""
    if link.pin_hash is None:
        return True
    if pin is None:
        return False
    attempt = await _guess(throttle, "reconnect-pin", str(link.id))
    if hmac.compare_digest(link.pin_hash, _pin_hash(settings, link.token_hash, pin)):
        await attempt.succeeded()
        return True
    await attempt.failed()
    raise WrongPin()


async def _set_once(session: AsyncSession, link: ReconnectLink, column: str, value: object) -> bool:
    """Sets ``column`` of ``link`` if it is still NULL in the database, in one statement
    (two requests racing: one wins). False when another request set it first."""
    r = ReconnectLink
    stmt = (
        update(r)
        .where(r.id == link.id, getattr(r, column).is_(None))
        .values({column: value})
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[tuple[()]] = await session.execute(stmt)  # type: ignore[assignment]
    if result.rowcount != 1:
        return False
    set_committed_value(link, column, value)
    return True


async def _state(
    session: AsyncSession, link: ReconnectLink, instance: EvolutionInstance, ip: str
) -> PublicState:
    started = link.opened_at is not None
    connected = started and instance.status == InstanceStatus.open.value
    if connected and await _set_once(session, link, "used_at", utcnow()):
        audit.record(
            session,
            None,
            "reconnect_link.used",
            object_type="instance",
            object_id=instance.id,
            detail={"link_id": link.id},
            ip=ip,
        )
        await session.flush()
    shows_code = started and not connected
    return PublicState(
        display_name=instance.display_name,
        pin_required=False,
        connected=connected,
        qr_code=instance.last_qr if shows_code else None,
        pairing_code=instance.pairing_code if shows_code else None,
        expires_at=link.expires_at,
        started=started,
    )


def _pin_asked(instance: EvolutionInstance) -> PublicState:
    return PublicState(display_name=instance.display_name, pin_required=True, connected=False)


async def state(
    session: AsyncSession,
    settings: Settings,
    throttle: LoginThrottle,
    token: str,
    access: PublicAccess,
    ip: str,
) -> PublicState:
    """What the page shows; once the instance is connected through the link, the link is
    spent (this answer says so; the next one is 404)."""
    link, instance = await _open(session, throttle, token, access.claim, ip)
    if not await _check_pin(settings, throttle, link, access.pin):
        return _pin_asked(instance)
    return await _state(session, link, instance, ip)


async def _acting_user(session: AsyncSession, link: ReconnectLink) -> User:
    """The operator the link acts for: it stops working when they are gone, deactivated,
    demoted to viewer, or no longer see the instance (teams)."""
    creator = await session.get(User, link.created_by) if link.created_by else None
    if creator is None or not creator.is_active or creator.role == Role.viewer.value:
        raise LinkRevoked()
    if not (await scope_for(session, creator)).sees_instance(link.instance_id):
        raise LinkRevoked()
    return creator


async def connect(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    throttle: LoginThrottle,
    token: str,
    body: PublicConnect,
    ip: str,
) -> PublicState:
    """Start pairing through the link (a QR code, or a pairing code for ``phone_number``),
    on behalf of the operator who created it. The first call on a single-use link claims
    it: its answer carries the claim (if pairing fails to start, nothing is claimed)."""
    link, instance = await _open(session, throttle, token, body.claim, ip)
    if not await _check_pin(settings, throttle, link, body.pin):
        return _pin_asked(instance)
    creator = await _acting_user(session, link)
    claim = None
    if link.single_use and link.claim_hash is None:
        claim = secrets.token_urlsafe(TOKEN_BYTES)
        if not await _set_once(session, link, "claim_hash", token_hash(claim)):
            raise LinkUsed()  # another browser claimed it a moment ago
    if instance.status != InstanceStatus.open.value:
        request = ConnectRequest(
            phone_number=body.phone_number,
            method="pairing_code" if body.phone_number else "qr_code",
        )
        await actions.connect(session, http, settings, instance, request, actor=creator, ip=ip)
    if link.opened_at is None:
        link.opened_at = utcnow()
        audit.record(
            session,
            None,
            "reconnect_link.open",
            object_type="instance",
            object_id=instance.id,
            detail={"link_id": link.id, "single_use": link.single_use},
            ip=ip,
        )
    await session.flush()
    shown = await _state(session, link, instance, ip)
    return shown.model_copy(update={"claim": claim})
