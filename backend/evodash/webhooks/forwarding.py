"""Relaying stored events to an instance's destinations: a job kind of the one durable queue.

Each enabled destination (:mod:`evodash.destinations`) whose event filter takes the event
gets its own attempts, with its own secret header and retry policy.

Every attempt is a ``webhook_delivery`` row, and a ``forward`` job of the job queue
(:mod:`evodash.jobs.worker`) runs it. The first attempt and its job are written in the
same transaction as the event's outcome (so neither can be lost), due now. After a failed
attempt the next one is written as ``pending`` with its job, due after the queue's retry
policy (:func:`evodash.core.retry.backoff_seconds`: the destination's base, doubled at each
retry up to five minutes, with jitter; at most the destination's ``max_attempts``, and never
more than ``FORWARD_MAX_ATTEMPTS``); the attempt that failed keeps its HTTP status, latency, error,
and when the retry is due. So retries survive restarts, any worker process runs them,
and the queue's lease brings back an attempt whose worker died. An attempt is also
*claimed* with a conditional UPDATE before it runs, so a job run again after its lease
expired never sends an attempt twice.

The forwarded body is the event as received, except ``apikey`` (the instance's token),
which is never sent to a third party. The destination is checked when each attempt is
sent (:mod:`evodash.core.outbound`: public addresses only unless
``FORWARD_ALLOW_PRIVATE_NETWORKS``), the answer is read up to
``FORWARD_MAX_RESPONSE_BYTES`` and the whole attempt has ``FORWARD_TIMEOUT_SECONDS``.
An attempt whose destination was removed or disabled meanwhile fails without being sent.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core import outbound
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.retry import backoff_seconds
from evodash.core.urls import scrub
from evodash.destinations.models import ForwardDestination
from evodash.destinations.service import secret_headers
from evodash.evolution.messages import WireMessage
from evodash.instances.models import EvolutionInstance
from evodash.jobs import service as jobs
from evodash.jobs.pipeline import JobContext
from evodash.webhooks.models import DeliveryStatus, EventStatus, WebhookDelivery, WebhookEvent
from evodash.webhooks.repository import DeliveryRepository

log = structlog.get_logger(__name__)

FORWARD_KIND = jobs.FORWARD_KIND
UPSERT = "messages.upsert"
#: The longest wait between two attempts.
MAX_RETRY_SECONDS = 300.0


def first_attempts(
    destinations: Sequence[ForwardDestination], events: Iterable[tuple[int, str, datetime]]
) -> list[WebhookDelivery]:
    """The first attempt of each (event id, event name, due) at each destination that
    takes it (to add, flush and :func:`enqueue_attempt`)."""
    return [
        WebhookDelivery(
            event_id=event_id,
            instance_id=destination.instance_id,
            destination_id=destination.id,
            url=destination.url,
            attempt=1,
            status=DeliveryStatus.pending.value,
            next_retry_at=due,
        )
        for event_id, name, due in events
        for destination in destinations
        if destination.wants(name)
    ]


async def relay_recovered(
    session: AsyncSession,
    instance: EvolutionInstance,
    destinations: Sequence[ForwardDestination],
    messages: Sequence[WireMessage],
    now: datetime,
) -> list[WebhookDelivery]:
    """Relay messages that recovery stored (their webhook never arrived) like webhook ones:
    each becomes a processed ``messages.upsert`` inbox event, as Evolution would have
    posted it (plus ``"recovered": true``), with a first attempt at each destination that
    takes it. Nothing is written when no destination wants them."""
    if not any(d.wants(UPSERT) for d in destinations):
        return []
    events = []
    for message in {m.message_id: m for m in messages}.values():
        data = dict(message.raw)
        if message.media_base64 is not None and isinstance(data.get("message"), dict):
            data["message"] = {**data["message"], "base64": message.media_base64}
        body = {
            "event": UPSERT,
            "instance": instance.name,
            "data": data,
            "date_time": now.isoformat().replace("+00:00", "Z"),
            "sender": instance.owner_jid,
            "recovered": True,
        }
        events.append(
            WebhookEvent(
                instance_id=instance.id,
                event=UPSERT,
                instance_name=instance.name,
                body=body,
                status=EventStatus.processed.value,
                attempts=1,
                received_at=now,
                processed_at=now,
            )
        )
    session.add_all(events)
    await session.flush()
    deliveries = first_attempts(destinations, ((e.id, e.event, now) for e in events))
    session.add_all(deliveries)
    await session.flush()
    for delivery in deliveries:
        enqueue_attempt(session, delivery)
    return deliveries


def enqueue_attempt(session: AsyncSession, delivery: WebhookDelivery) -> None:
    """Queue the job that runs ``delivery`` (flushed: it has an id), when it is due."""
    jobs.enqueue(
        session,
        FORWARD_KIND,
        {"delivery_id": delivery.id},
        instance_id=delivery.instance_id,
        run_after=delivery.next_retry_at,
    )


async def run_forward_job(ctx: JobContext) -> dict[str, Any]:
    """The handler of ``forward`` jobs: one attempt; the next one is queued if it failed."""
    delivery_id = int((ctx.job.payload or {})["delivery_id"])
    forwarder = Forwarder(ctx.sessionmaker, ctx.http, ctx.settings)
    return await forwarder.attempt(delivery_id)


class Forwarder:
    """Sends one attempt and records it (the handler of ``forward`` jobs uses it)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        settings: Settings,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.http = http
        self.settings = settings
        self.rng = rng

    def backoff(self, attempt: int, base: float) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return backoff_seconds(attempt, base=base, cap=MAX_RETRY_SECONDS, rng=self.rng)

    async def attempt(self, delivery_id: int) -> dict[str, Any]:
        """Run the attempt if it is still due and nobody else runs it; what happened."""
        lease = timedelta(seconds=self.settings.forward_timeout_seconds + 30)
        async with self.sessionmaker() as session:
            now = utcnow()
            if not await DeliveryRepository(session).claim(
                delivery_id, now=now, lease_until=now + lease
            ):
                return {"delivery_id": delivery_id, "skipped": "not due, done or taken"}
            await session.commit()
        async with self.sessionmaker() as session:
            delivery = await session.get(WebhookDelivery, delivery_id)
            event = await session.get(WebhookEvent, delivery.event_id) if delivery else None
            if delivery is None or event is None:
                return {"delivery_id": delivery_id, "skipped": "purged"}
            destination = (
                await session.get(ForwardDestination, delivery.destination_id)
                if delivery.destination_id is not None
                else None
            )
            gone = _unusable(destination)
            if gone is not None:
                await self._record(delivery_id, None, gone, 0, retry=False)
                return {"delivery_id": delivery_id, "error": gone}
            assert destination is not None
            url = delivery.url
            payload = dict(event.body)
            payload.pop("apikey", None)
            headers = {
                "X-Evodash-Event": event.event,
                "X-Evodash-Event-Id": str(event.id),
                "X-Evodash-Delivery": str(delivery.id),
                "X-Evodash-Attempt": str(delivery.attempt),
                **secret_headers(destination, self.settings),
            }
        started = time.perf_counter()
        http_status, error = await post_event(self.http, self.settings, url, payload, headers)
        latency = int((time.perf_counter() - started) * 1000)
        next_id = await self._record(delivery_id, http_status, error, latency)
        return {
            "delivery_id": delivery_id,
            "http_status": http_status,
            "error": error,
            "next_delivery_id": next_id,
        }

    async def _record(
        self,
        delivery_id: int,
        http_status: int | None,
        error: str | None,
        latency: int,
        *,
        retry: bool = True,
    ) -> int | None:
        """Write the outcome; after a failure with attempts left, the next attempt and its
        job, in the same transaction. The next attempt's id, if any."""
        async with self.sessionmaker() as session:
            delivery = await session.get(WebhookDelivery, delivery_id)
            if delivery is None:
                return None
            delivery.http_status, delivery.latency_ms, delivery.error = http_status, latency, error
            following: WebhookDelivery | None = None
            due_in = 0.0
            if error is None:
                delivery.status, delivery.next_retry_at = DeliveryStatus.succeeded.value, None
            else:
                delivery.status = DeliveryStatus.failed.value
                delivery.next_retry_at = None
                destination = (
                    await session.get(ForwardDestination, delivery.destination_id)
                    if retry and delivery.destination_id is not None
                    else None
                )
                if destination is not None and delivery.attempt < min(
                    destination.max_attempts, self.settings.forward_max_attempts
                ):
                    due_in = self.backoff(delivery.attempt, destination.retry_base_seconds)
                    due = utcnow() + timedelta(seconds=due_in)
                    delivery.next_retry_at = due
                    following = WebhookDelivery(
                        event_id=delivery.event_id,
                        instance_id=delivery.instance_id,
                        destination_id=delivery.destination_id,
                        url=delivery.url,
                        attempt=delivery.attempt + 1,
                        status=DeliveryStatus.pending.value,
                        next_retry_at=due,
                    )
                    session.add(following)
                    await session.flush()
                    enqueue_attempt(session, following)
            await session.commit()
        log.info(
            "webhook.forwarded" if error is None else "webhook.forward_failed",
            delivery_id=delivery_id,
            http_status=http_status,
            latency_ms=latency,
            error=error,
            retry_in=round(due_in, 2) if following is not None else None,
        )
        return following.id if following is not None else None


def _unusable(destination: ForwardDestination | None) -> str | None:
    if destination is None:
        return "not sent: its destination was removed"
    if not destination.enabled:
        return "not sent: its destination is disabled"
    return None


async def post_event(
    http: httpx.AsyncClient,
    settings: Settings,
    url: str,
    payload: dict[str, Any],
    headers: dict[str, str],
) -> tuple[int | None, str | None]:
    """POST an event: ``(HTTP status, error)``. The error names what went wrong (refused
    destination, a limit, a connection failure) for operators; viewers only see the
    status (``webhooks.service``)."""
    content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "evodash-forwarder",
        **headers,
    }
    try:
        target, options = await outbound.resolve_checked(
            url, allow_private=settings.forward_allow_private_networks
        )
        answer = await outbound.request_limited(
            http,
            "POST",
            target,
            content=content,
            headers={**headers, **options.pop("headers")},
            timeout=settings.forward_timeout_seconds,
            follow_redirects=False,
            # The receiver's answer is not used: read a little (keep-alive), never more.
            max_bytes=settings.forward_max_response_bytes,
            total_timeout=settings.forward_timeout_seconds,
            truncate=True,
            **options,
        )
    except outbound.DestinationRefused as exc:
        return None, f"refused: {exc}"[:500]
    except outbound.ResponseTooSlow as exc:
        return None, f"timed out: {exc}"
    except httpx.TimeoutException:
        return None, f"timed out (no answer within {settings.forward_timeout_seconds:g} s)"
    except httpx.HTTPError as exc:
        return None, scrub(f"{type(exc).__name__}: {exc}")[:500]
    if answer.truncated:
        log.info("webhook.forward_answer_truncated", limit=settings.forward_max_response_bytes)
    if answer.is_success:
        return answer.status_code, None
    return answer.status_code, f"HTTP {answer.status_code}"
