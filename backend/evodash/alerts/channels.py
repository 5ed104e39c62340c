"""Notification channels: webhook URLs (evodash JSON, Slack, Discord), WhatsApp through
a chosen connected instance, and e-mail over SMTP.

:func:`targets` turns the stored channels into senders that need no database (keys and
passwords decrypted, the sending instance loaded); :func:`deliver` sends one notice to
all of them at once, each within ``ALERT_CHANNEL_TIMEOUT_SECONDS``: a slow or failing
channel never holds up the others, and each gets its own result.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.alerts.models import AlertChannel, ChannelKind, NoticeKind
from evodash.alerts.schemas import AlertRead, ChannelResult
from evodash.core import outbound
from evodash.core.config import Settings
from evodash.core.security import decrypt
from evodash.core.urls import public_part, scrub
from evodash.evolution.errors import EvolutionError
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.servers import service as servers
from evodash.servers.models import EvolutionServer

#: The receiver's answer is not used: read a little of it, never more.
_ANSWER_BYTES = 16 * 1024


class ChannelFailed(Exception):
    """The channel could not send; the message says why (shown to admins)."""


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    #: None for a test notice.
    alert: AlertRead | None
    public_base_url: str
    at: datetime

    @property
    def link(self) -> str:
        suffix = f"?alert={self.alert.id}" if self.alert is not None else ""
        return f"{self.public_base_url}/alerts{suffix}"


def body(notice: Notice) -> dict[str, Any]:
    """The JSON body of webhook channels (documented in docs/api.md, "Alert webhooks")."""
    alert = notice.alert.model_dump(mode="json") if notice.alert is not None else None
    return {
        "type": f"alert.{notice.kind.value}",
        "sent_at": notice.at.isoformat(),
        "alert": alert,
        "text": text(notice),
        "url": notice.link,
    }


_TITLES = {
    NoticeKind.fired: "ALERT",
    NoticeKind.repeat: "STILL FIRING",
    NoticeKind.resolved: "RESOLVED",
    NoticeKind.test: "TEST",
}


def text(notice: Notice) -> str:
    """One short human text: the subject line of e-mails, Slack, Discord and WhatsApp."""
    alert = notice.alert
    if alert is None:
        return "[evodash TEST] A test alert: this channel works."
    started = alert.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    line = f"[evodash {_TITLES[notice.kind]}] {alert.rule.value}: {alert.subject_label}"
    return f"{line} — {alert.detail or ''} (since {started}) {notice.link}".strip()


@dataclass(frozen=True)
class Target:
    channel_id: int | None
    label: str
    send: Callable[[Notice], Awaitable[None]]


# --- senders ------------------------------------------------------------------------------


def _webhook(
    http: httpx.AsyncClient, settings: Settings, url: str, fmt: str
) -> Callable[[Notice], Awaitable[None]]:
    async def send(notice: Notice) -> None:
        if fmt == "slack":
            payload: dict[str, Any] = {"text": text(notice)}
        elif fmt == "discord":
            payload = {"content": text(notice)[:2000]}
        else:
            payload = body(notice)
        try:
            target, options = await outbound.resolve_checked(
                url, allow_private=settings.forward_allow_private_networks
            )
            answer = await outbound.request_limited(
                http,
                "POST",
                target,
                content=json.dumps(payload, ensure_ascii=False).encode(),
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "evodash-alerts",
                    "X-Evodash-Alert": f"alert.{notice.kind.value}",
                    **options.pop("headers"),
                },
                follow_redirects=False,
                max_bytes=_ANSWER_BYTES,
                total_timeout=settings.alert_channel_timeout_seconds,
                truncate=True,
                **options,
            )
        except outbound.DestinationRefused as exc:
            raise ChannelFailed(f"refused: {exc}") from exc
        except (httpx.HTTPError, outbound.ResponseTooSlow) as exc:
            raise ChannelFailed(scrub(f"{type(exc).__name__}: {exc}")) from exc
        if not answer.is_success:
            raise ChannelFailed(f"HTTP {answer.status_code}")

    return send


def _whatsapp(
    http: httpx.AsyncClient,
    settings: Settings,
    instance: EvolutionInstance | None,
    server: EvolutionServer | None,
    numbers: Sequence[str],
) -> Callable[[Notice], Awaitable[None]]:
    async def send(notice: Notice) -> None:
        if instance is None or server is None or instance.deleted_at is not None:
            raise ChannelFailed("the sending instance no longer exists")
        if notice.alert is not None and notice.alert.subject_key == f"instance:{instance.id}":
            raise ChannelFailed("not sent: the sending instance is the one the alert is about")
        if instance.status != InstanceStatus.open.value:
            raise ChannelFailed(f"the sending instance is not connected ({instance.status})")
        client = servers.client_for(http, server, settings)
        message = text(notice)
        failures = []
        for number in numbers:
            try:
                await client.send_text(instance.name, number, message)
            except EvolutionError as exc:
                failures.append(f"{number}: {exc.detail}")
        if failures:
            raise ChannelFailed("; ".join(failures)[:500])

    return send


def _email(
    config: dict[str, Any], password: str | None, timeout: float
) -> Callable[[Notice], Awaitable[None]]:
    async def send(notice: Notice) -> None:
        message = EmailMessage()
        message["From"] = config["sender"]
        message["To"] = ", ".join(config["to"])
        message["Subject"] = text(notice).split(" — ", 1)[0][:200]
        alert = notice.alert
        lines = [text(notice), ""]
        if alert is not None:
            lines += [f"{k}: {v}" for k, v in alert.model_dump(mode="json").items()]
        message.set_content("\n".join(lines))
        security = config.get("security", "starttls")
        try:
            await aiosmtplib.send(
                message,
                hostname=config["host"],
                port=int(config.get("port", 587)),
                username=config.get("username") or None,
                password=password if config.get("username") else None,
                use_tls=security == "tls",
                start_tls=security == "starttls",
                timeout=timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ChannelFailed(f"{type(exc).__name__}: {exc}"[:500]) from exc

    return send


# --- building and sending -----------------------------------------------------------------


def _password(channel: AlertChannel, settings: Settings) -> str | None:
    if not channel.secret_encrypted:
        return None
    try:
        return decrypt(channel.secret_encrypted, secret=settings.secret())
    except ValueError:
        return None


async def target_for(
    session: AsyncSession, http: httpx.AsyncClient, settings: Settings, channel: AlertChannel
) -> Target:
    config = dict(channel.config)
    label = channel.name
    kind = ChannelKind(channel.kind)
    if kind is ChannelKind.webhook:
        return Target(channel.id, label, _webhook(http, settings, config["url"], config["format"]))
    if kind is ChannelKind.whatsapp:
        instance = await session.get(EvolutionInstance, int(config["instance_id"]))
        server = await session.get(EvolutionServer, instance.server_id) if instance else None
        return Target(
            channel.id, label, _whatsapp(http, settings, instance, server, config["numbers"])
        )
    timeout = settings.alert_channel_timeout_seconds
    return Target(channel.id, label, _email(config, _password(channel, settings), timeout))


async def targets(
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    channels: Sequence[AlertChannel],
) -> list[Target]:
    """The enabled channels, and the ``ALERT_WEBHOOK_URLS`` (evodash JSON body)."""
    found = [await target_for(session, http, settings, c) for c in channels if c.enabled]
    for url in settings.alert_webhook_urls:
        found.append(
            Target(
                None,
                f"ALERT_WEBHOOK_URLS {public_part(url)}",
                _webhook(http, settings, url, "json"),
            )
        )
    return found


async def deliver(
    targets_: Sequence[Target], notice: Notice, seconds: float
) -> list[ChannelResult]:
    """Send ``notice`` to every target at once, each within ``seconds``."""

    async def one(target: Target) -> ChannelResult:
        started = time.perf_counter()
        error: str | None = None
        try:
            async with asyncio.timeout(seconds):
                await target.send(notice)
        except TimeoutError:
            error = f"timed out after {seconds:g} s"
        except ChannelFailed as exc:
            error = str(exc)
        except Exception as exc:  # isolation: one channel's bug never stops the others
            error = scrub(f"{type(exc).__name__}: {exc}")[:500]
        ms = int((time.perf_counter() - started) * 1000)
        return ChannelResult(channel=target.label, ok=error is None, error=error, ms=ms)

    return list(await asyncio.gather(*(one(t) for t in targets_)))
