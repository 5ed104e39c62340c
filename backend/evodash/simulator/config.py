"""Knobs of the simulator. Defaults follow a real Evolution API 2.3.6 (official image)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Baileys 7.0.0-rc.6's bundled fallback, what a 2.3.6 server reports when it cannot reach
#: web.whatsapp.com (recorded/root_get_*.json).
WHATSAPP_WEB_VERSION = "2.3000.1027934701"
SERVER_VERSION = "2.3.6"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Webhook retries as ``WEBHOOK_RETRY_*`` (CONTRACT §9.4)."""

    max_attempts: int = 10
    initial_delay: float = 5.0
    max_delay: float = 300.0
    exponential: bool = True
    jitter_factor: float = 0.2
    non_retryable: frozenset[int] = frozenset({400, 401, 403, 404, 422})
    timeout: float = 30.0

    def delay_after(self, attempt: int, rand: float) -> float:
        """Delay after failed attempt ``attempt`` (1-based); ``rand`` in [0, 1)."""
        base = self.initial_delay * 2 ** (attempt - 1) if self.exponential else self.initial_delay
        base = min(base, self.max_delay)
        jitter = base * self.jitter_factor * (2 * rand - 1)
        return max(self.initial_delay, base + jitter) if self.initial_delay > 0 else 0.0


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """Everything that is an env var on a real server, plus the simulated phone's timing."""

    api_key: str
    #: ``SERVER_URL``: shown as ``server_url`` in webhooks; omitted when ``None``.
    public_url: str | None = None
    #: ``DATABASE_CONNECTION_CLIENT_NAME``.
    client_name: str = "evolution_exchange"
    #: ``AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES``: the instance token as webhook ``apikey``.
    expose_token_in_webhooks: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: Seconds between two QR codes while ``connecting`` (Baileys: 45 s per QR).
    qr_interval: float = 45.0
    #: ``QRCODE_LIMIT``: after that many QR codes the instance gives up (``refused``).
    qr_limit: int = 30
    #: A real server waits 2 s in ``connect`` (5 s in create) for the first QR.
    connect_wait: float = 0.0
    #: While WhatsApp is unreachable, seconds between two ``connecting`` events.
    offline_reconnect_interval: float = 5.0
    #: Seconds a reconnect (restart, transient drop) takes before ``open`` again.
    reconnect_delay: float = 0.5
    #: Seconds before the simulated phone acknowledges a sent message (``MESSAGES_UPDATE``).
    #: ``None`` turns automatic receipts off.
    receipt_delay: float | None = 1.0
    #: Number used as the owner when a scan does not name one.
    #: ``False`` reproduces the recorded server: no route to WhatsApp, so no QR ever.
    whatsapp_reachable: bool = True
    default_owner_number: str = "5511987654321"
    default_profile_name: str = "Evodash Simulator"
