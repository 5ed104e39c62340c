"""Relaying stored events to an instance's forward URL, with retries that survive restarts.

Every attempt is a ``webhook_delivery`` row. The first one is written in the same
transaction as the event (so it cannot be lost) as ``pending`` and due now; it is started
right after the commit. After a failed attempt the next one is written as ``pending``, due
after an exponential backoff; the attempt that failed keeps its HTTP status, latency,
error, and when the retry is due. A periodic scan (:mod:`evodash.webhooks.tasks`) runs due
attempts, so retries resume after a restart. An attempt is *claimed* with a conditional
UPDATE before it runs, so two processes never send the same attempt.

The forwarded body is the event as received, except ``apikey`` (the instance's token),
which is never sent to a third party. The destination is checked when each attempt is
sent (:mod:`evodash.core.outbound`: public addresses only unless
``FORWARD_ALLOW_PRIVATE_NETWORKS``), the answer is read up to
``FORWARD_MAX_RESPONSE_BYTES`` and the whole attempt has ``FORWARD_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from datetime import timedelta

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core import outbound
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.urls import scrub
from evodash.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from evodash.webhooks.repository import DeliveryRepository

log = structlog.get_logger(__name__)


class Forwarder:
    """Sends pending attempts. ``base_delay``/``max_delay`` shape the backoff (seconds)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        settings: Settings,
        *,
        base_delay: float = 5.0,
        max_delay: float = 300.0,
        jitter: float = 0.2,
        concurrency: int = 20,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.http = http
        self.settings = settings
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.jitter = jitter
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = asyncio.Event()

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        delay = min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)
        return float(delay * (1 + self.jitter * (2 * random.random() - 1)))

    def kick(self, delivery_id: int) -> None:
        """Start an attempt now, in the background (call after its row is committed)."""
        if self._closing.is_set():
            return  # the periodic scan of the next start picks it up
        task = asyncio.get_running_loop().create_task(self.run(delivery_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self, delivery_id: int) -> None:
        """:meth:`kick` for ``BackgroundTasks`` (an async callable runs on the loop)."""
        self.kick(delivery_id)

    async def run(self, delivery_id: int | None) -> None:
        """Run an attempt, and the retries it schedules, until one succeeds or none is left."""
        while delivery_id is not None and not self._closing.is_set():
            try:
                async with self._slots:
                    delivery_id, due_in = await self._attempt(delivery_id)
            except Exception:
                log.exception("webhook.forward_crashed", delivery_id=delivery_id)
                return
            if delivery_id is not None:
                # Wait for the retry, unless the app stops (the row stays pending and due).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), max(due_in, 0.0))

    async def _attempt(self, delivery_id: int) -> tuple[int | None, float]:
        lease = timedelta(seconds=self.settings.forward_timeout_seconds + 30)
        async with self.sessionmaker() as session:
            now = utcnow()
            if not await DeliveryRepository(session).claim(
                delivery_id, now=now, lease_until=now + lease
            ):
                return None, 0.0  # not due, done, or another process runs it
            await session.commit()
        async with self.sessionmaker() as session:
            delivery = await session.get(WebhookDelivery, delivery_id)
            event = await session.get(WebhookEvent, delivery.event_id) if delivery else None
            if delivery is None or event is None:
                return None, 0.0  # purged meanwhile
            url = delivery.url
            payload = dict(event.body)
            payload.pop("apikey", None)
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "evodash-forwarder",
                "X-Evodash-Event": event.event,
                "X-Evodash-Event-Id": str(event.id),
                "X-Evodash-Delivery": str(delivery.id),
                "X-Evodash-Attempt": str(delivery.attempt),
            }
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        started = time.perf_counter()
        http_status, error = await self._post(url, content, headers)
        latency = int((time.perf_counter() - started) * 1000)
        return await self._record(delivery_id, http_status, error, latency)

    async def _post(
        self, url: str, content: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str | None]:
        """POST the event: ``(HTTP status, error)``. The error names what went wrong
        (refused destination, a limit, a connection failure) for operators; viewers only
        see the status (``webhooks.service``)."""
        try:
            target, options = await outbound.resolve_checked(
                url, allow_private=self.settings.forward_allow_private_networks
            )
            answer = await outbound.request_limited(
                self.http,
                "POST",
                target,
                content=content,
                headers={**headers, **options.pop("headers")},
                timeout=self.settings.forward_timeout_seconds,
                follow_redirects=False,
                # The receiver's answer is not used: read a little (keep-alive), never more.
                max_bytes=self.settings.forward_max_response_bytes,
                total_timeout=self.settings.forward_timeout_seconds,
                truncate=True,
                **options,
            )
        except outbound.DestinationRefused as exc:
            return None, f"refused: {exc}"[:500]
        except outbound.ResponseTooSlow as exc:
            return None, f"timed out: {exc}"
        except httpx.TimeoutException:
            return None, f"timed out (no answer within {self.settings.forward_timeout_seconds:g} s)"
        except httpx.HTTPError as exc:
            return None, scrub(f"{type(exc).__name__}: {exc}")[:500]
        if answer.truncated:
            log.info(
                "webhook.forward_answer_truncated",
                limit=self.settings.forward_max_response_bytes,
            )
        if answer.is_success:
            return answer.status_code, None
        return answer.status_code, f"HTTP {answer.status_code}"

    async def _record(
        self, delivery_id: int, http_status: int | None, error: str | None, latency: int
    ) -> tuple[int | None, float]:
        async with self.sessionmaker() as session:
            delivery = await session.get(WebhookDelivery, delivery_id)
            if delivery is None:
                return None, 0.0
            delivery.http_status, delivery.latency_ms, delivery.error = http_status, latency, error
            next_id: int | None = None
            due_in = 0.0
            if error is None:
                delivery.status, delivery.next_retry_at = DeliveryStatus.succeeded.value, None
            else:
                delivery.status = DeliveryStatus.failed.value
                delivery.next_retry_at = None
                if delivery.attempt < self.settings.forward_max_attempts:
                    due_in = self.backoff(delivery.attempt)
                    due = utcnow() + timedelta(seconds=due_in)
                    delivery.next_retry_at = due
                    retry = WebhookDelivery(
                        event_id=delivery.event_id,
                        instance_id=delivery.instance_id,
                        url=delivery.url,
                        attempt=delivery.attempt + 1,
                        status=DeliveryStatus.pending.value,
                        next_retry_at=due,
                    )
                    session.add(retry)
                    await session.flush()
                    next_id = retry.id
            await session.commit()
        log.info(
            "webhook.forwarded" if error is None else "webhook.forward_failed",
            delivery_id=delivery_id,
            http_status=http_status,
            latency_ms=latency,
            error=error,
            retry_in=round(due_in, 2) if next_id else None,
        )
        return next_id, due_in

    async def drain(self, max_wait: float = 30.0) -> bool:
        """Wait for the running attempts (and their retries); ``False`` on timeout."""
        deadline = asyncio.get_running_loop().time() + max_wait
        while self._tasks:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=remaining)
        return True

    async def aclose(self, grace: float = 10.0) -> None:
        """Stop: let running attempts finish (up to ``grace`` s), then cancel the rest.

        Cancelling an attempt in the middle of a database write could leave its connection
        in a transaction; letting it finish keeps shutdown clean. Unsent retries stay
        pending in the database.
        """
        self._closing.set()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
