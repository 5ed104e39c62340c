"""Webhook delivery like a 2.3.6 server (CONTRACT §9): per-instance filter, ``byEvents``
URLs, the §9.6 envelope, forwarded headers, retries with exponential backoff and jitter.

Every event is sent in its own task: emitting never waits for the receiver, and
events may arrive out of order, exactly as with the real server.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
import random
import re
import ssl
import time
from collections.abc import Mapping
from typing import Any

import httpx
import structlog

from evodash.simulator.config import SimulatorConfig
from evodash.simulator.events import internal_name, url_suffix
from evodash.simulator.state import DeliveryRecord, Instance, SimulatorState, now_iso

logger = structlog.get_logger(__name__)

_HTTP_URL = re.compile(r"^https?://")
BASE_HEADERS = {
    "Accept": "application/json, text/plain, */*",
    "Content-Type": "application/json",
    "User-Agent": "axios/1.12.2",
    "Accept-Encoding": "gzip, compress, deflate, br",
}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def webhook_jwt(secret: str, now: int | None = None) -> str:
    """The HS256 token sent as ``Authorization: Bearer`` when headers carry ``jwt_key``."""
    iat = int(time.time()) if now is None else now
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"iat": iat, "exp": iat + 600, "app": "evolution", "action": "webhook"}
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{_b64url(signature.digest())}"


def delivery_headers(custom: Mapping[str, Any] | None) -> dict[str, str]:
    headers = dict(BASE_HEADERS)
    for name, value in (custom or {}).items():
        if name == "jwt_key":
            headers["Authorization"] = f"Bearer {webhook_jwt(str(value))}"
        else:
            headers[name] = value if isinstance(value, str) else json.dumps(value)
    return headers


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process for every simulator's deliveries (building one loads
    the CA bundle: ~40 ms of CPU; the tests run many simulators). The simulator's own:
    it imports nothing of the dashboard's, as it ships and runs on its own."""
    return httpx.create_ssl_context()


class WebhookDispatcher:
    def __init__(
        self,
        config: SimulatorConfig,
        state: SimulatorState,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._config = config
        self._state = state
        self._client = client
        self._owns_client = client is None
        self._tasks: dict[asyncio.Task[None], str] = {}  # a delivery -> its instance
        self._rand = random.Random()

    def emit(self, instance: Instance, event: str, data: Any) -> None:
        """Send ``event`` to the instance's webhook if it is enabled and subscribed."""
        hook = instance.webhook
        if hook is None or not hook.enabled or internal_name(event) not in hook.events:
            return
        if not _HTTP_URL.match(hook.url):
            return
        url = f"{hook.url}/{url_suffix(event)}" if hook.by_events else hook.url
        body: dict[str, Any] = {
            "event": event,
            "instance": instance.name,
            "data": data,
            "destination": hook.url,
            "date_time": now_iso(),
        }
        if instance.sender:
            body["sender"] = instance.sender
        if self._config.public_url:
            body["server_url"] = self._config.public_url
        body["apikey"] = instance.token if self._config.expose_token_in_webhooks else None
        record = DeliveryRecord(event=event, instance=instance.name, url=url, body=body)
        self._state.deliveries.append(record)
        headers = delivery_headers(hook.headers)
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        task = asyncio.get_running_loop().create_task(self._deliver(record, headers, payload))
        self._tasks[task] = instance.name
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)

    def _of(self, instance: str | None) -> set[asyncio.Task[None]]:
        return {t for t, name in self._tasks.items() if instance is None or name == instance}

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(verify=_tls())
        return self._client

    async def _deliver(self, record: DeliveryRecord, headers: dict[str, str], body: bytes) -> None:
        retry = self._config.retry
        log = logger.bind(event=record.event, instance=record.instance, url=record.url)
        for attempt in range(1, max(retry.max_attempts, 1) + 1):
            record.attempts = attempt
            try:
                response = await self._http().post(
                    record.url,
                    content=body,
                    headers=headers,
                    timeout=retry.timeout,
                    follow_redirects=True,
                )
            except httpx.HTTPError as exc:
                record.statuses.append(type(exc).__name__)
                log.info("simulator.webhook.failed", attempt=attempt, error=repr(exc))
            else:
                record.statuses.append(response.status_code)
                if response.is_success:
                    record.delivered = True
                    break
                log.info("simulator.webhook.rejected", attempt=attempt, status=response.status_code)
                if response.status_code in retry.non_retryable:
                    break
            if attempt < retry.max_attempts:
                await asyncio.sleep(retry.delay_after(attempt, self._rand.random()))
        record.done = True

    def pending(self, instance: str | None = None) -> int:
        """Deliveries not finished yet (of ``instance``, else of every instance)."""
        return len(self._of(instance))

    async def drain(self, max_wait: float = 10.0, instance: str | None = None) -> bool:
        """Wait until every delivery (retries included) finished, or only ``instance``'s;
        ``False`` on timeout."""
        deadline = asyncio.get_running_loop().time() + max_wait
        while waiting := self._of(instance):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            await asyncio.wait(waiting, timeout=remaining)
        return True

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def aclose(self) -> None:
        self.cancel_all()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
