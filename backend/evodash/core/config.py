"""Settings: one pydantic-settings class read from the environment and `.env`.

Nothing else in evodash reads ``os.environ``. With no configuration at all the app runs
on SQLite under ``./data/`` and keeps a generated secret key there.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "please-change-me"}


class ConfigurationError(RuntimeError):
    """The configuration cannot work; the message says what to change."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("./data")
    database_url: str = "sqlite+aiosqlite:///./data/evodash.db"
    secret_key: SecretStr | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    #: How long an idle keep-alive connection stays open (uvicorn's default is 5 s). Longer
    #: than the idle time of the clients that reuse connections (Node's agents: 5 s,
    #: proxies: 60 s), so that the server never closes one just as a client sends on it
    #: (the client sees ECONNRESET and does not retry a POST).
    http_keep_alive_seconds: int = Field(default=75, ge=1, le=3600)

    # Auth
    access_token_expire_minutes: int = Field(default=60 * 12, ge=1)
    session_cookie_name: str = "evodash_session"
    csrf_cookie_name: str = "evodash_csrf"
    cookie_secure: bool = False  # forced on with ENVIRONMENT=production
    # Failed logins of one (address, username) pair, and of one address, before the
    # backoff (1 s, 2 s, 4 s, ... up to LOGIN_BACKOFF_MAX_SECONDS) starts.
    login_max_attempts: int = Field(default=5, ge=1)
    login_max_attempts_per_address: int = Field(default=20, ge=1)
    login_window_seconds: int = Field(default=60, ge=1)
    login_backoff_max_seconds: int = Field(default=900, ge=1)
    # argon2 runs in threads: this many at once, at most PASSWORD_HASH_QUEUE waiting.
    password_hash_concurrency: int = Field(default=2, ge=1, le=64)
    password_hash_queue: int = Field(default=32, ge=1)
    ws_ticket_seconds: int = Field(default=30, ge=5, le=600)
    # A WebSocket pings this often and checks its session still holds each time.
    ws_ping_seconds: float = Field(default=25.0, gt=0)

    # Messages / allow-list
    allowed_phone_numbers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    default_phone_region: str = "BR"

    # Evolution
    evolution_timeout_seconds: float = Field(default=15.0, gt=0)
    evolution_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    evolution_read_retries: int = Field(default=2, ge=0)
    status_sync_interval_seconds: float = Field(default=300, ge=0)
    status_sync_concurrency: int = Field(default=10, ge=1, le=200)

    # Recovery: fetching from Evolution the messages whose webhooks never arrived
    #: Start each pass this long before the newest stored message (late deliveries carry
    #: older WhatsApp times; edits move a message's time).
    recovery_overlap_seconds: float = Field(default=600, ge=0, le=7 * 86_400)
    #: How far back a pass may reach (a ``since`` older than this is refused).
    recovery_max_lookback_days: int = Field(default=31, ge=1, le=366)
    recovery_page_size: int = Field(default=50, ge=1, le=500)
    #: A pass stops after this many messages (the next pass goes on from there).
    recovery_max_messages: int = Field(default=50_000, ge=1)
    recovery_concurrency: int = Field(default=4, ge=1, le=50)
    #: Look for instances that went back to ``open`` this often (and at each change).
    recovery_poll_seconds: float = Field(default=10.0, gt=0)
    recovery_on_startup: bool = True

    # Webhooks
    webhook_max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    webhook_event_retention_days: int = Field(default=30, ge=1)
    #: A ceiling on every relay destination's own ``max_attempts`` (1-10, per destination).
    forward_max_attempts: int = Field(default=10, ge=1)
    forward_timeout_seconds: float = Field(default=10.0, gt=0)  # the whole attempt
    forward_max_response_bytes: int = Field(default=64 * 1024, ge=0)
    # Off: destination URLs must resolve to public addresses only (no SSRF into the network
    # evodash runs in). The demo and tests on one machine turn it on.
    forward_allow_private_networks: bool = False

    # Jobs
    #: Run jobs in the API process. Off when ``evodash worker`` processes run them.
    embedded_worker: bool = True
    #: Apply webhook events in the API process (with ``BACKGROUND_TASKS``). Off when
    #: ``evodash worker`` processes apply them: the API then only checks, stores and
    #: acknowledges each event, and a worker applies it (scaled deployments).
    embedded_applier: bool = True
    worker_concurrency: int = Field(default=2, ge=1)
    #: Slots of each worker that only run forward attempts (relays), besides its
    #: ``WORKER_CONCURRENCY`` slots for any job: a relay never waits for image jobs (OCR
    #: takes seconds each) to free a slot. 0: relays share the general slots.
    worker_relay_slots: int = Field(default=2, ge=0, le=50)
    job_max_attempts: int = Field(default=5, ge=1)
    job_lease_seconds: int = Field(default=60, ge=5)
    media_root: Path = Path("./data/media")
    max_image_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # 4096 x 4096: WhatsApp's HD photos are at most 4096 px on the long side. Decoding
    # costs about 4 bytes a pixel (a 4.9 KB PNG can declare 6300 x 6300 = 160 MB).
    max_image_pixels: int = Field(default=4096 * 4096, ge=1000)
    # Image jobs one sender may queue per hour on one instance (0: no limit).
    image_jobs_per_sender_per_hour: int = Field(default=30, ge=0)

    # Backups (docs/operations.md, "Backups"). Automatic backups run when BACKUP_DIR and
    # the passphrase are set; the passphrase seals the secrets (not SECRET_KEY).
    backup_dir: Path | None = None
    backup_interval_hours: float = Field(default=24.0, gt=0, le=24 * 365)
    backup_keep: int = Field(default=7, ge=1, le=1000)
    evodash_backup_passphrase: SecretStr | None = None

    # Retention (days; 0 keeps forever). WEBHOOK_EVENT_RETENTION_DAYS above is the
    # inbox's. An instance may set its own message retention.
    retention_messages_days: int = Field(default=0, ge=0, le=36500)
    retention_media_days: int = Field(default=0, ge=0, le=36500)
    retention_jobs_days: int = Field(default=0, ge=0, le=36500)
    retention_connection_events_days: int = Field(default=0, ge=0, le=36500)
    retention_audit_days: int = Field(default=0, ge=0, le=36500)
    retention_batch_size: int = Field(default=1000, ge=1, le=50_000)
    retention_purge_interval_seconds: float = Field(default=3600, gt=0)

    # Alerts (docs/monitoring.md, "Alerts"). Defaults of the rules an admin can change in
    # the app; the check runs in the scheduler's leader every ALERT_CHECK_INTERVAL_SECONDS
    # (0: alerts off).
    alert_check_interval_seconds: float = Field(default=30, ge=0, le=3600)
    alert_down_after_seconds: int = Field(default=300, ge=1, le=7 * 86_400)
    alert_connecting_after_seconds: int = Field(default=600, ge=1, le=7 * 86_400)
    alert_zombie_after_seconds: int = Field(default=1800, ge=1, le=7 * 86_400)
    alert_server_after_seconds: int = Field(default=300, ge=1, le=7 * 86_400)
    #: A firing alert is announced again at most this often (0: never again).
    alert_repeat_seconds: int = Field(default=3600, ge=0, le=30 * 86_400)
    #: Webhook channels every alert goes to besides those set in the app (JSON body).
    alert_webhook_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    #: The zombie probe (a call that needs the WhatsApp connection) gives up after this.
    alert_probe_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    #: Each channel gets this long per notification; a slow one never delays the others.
    alert_channel_timeout_seconds: float = Field(default=15.0, gt=0, le=120)

    # Infrastructure
    redis_url: str | None = None
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    max_request_body_bytes: int = Field(default=1 * 1024 * 1024, ge=1024)
    frontend_dist: Path = Path("./frontend/dist")
    bootstrap_admin: bool = True
    # /docs, /redoc and /openapi.json. Unset: served except with ENVIRONMENT=production
    # (the document maps every route for whoever asks; turn it on there deliberately).
    api_docs_enabled: bool | None = None
    #: Bearer token a Prometheus scraper sends to ``/metrics`` (admins may read it too).
    #: Unset: only admins. At least 24 characters.
    metrics_token: SecretStr | None = Field(default=None, min_length=24)
    #: Background work in this process: the scheduler of periodic tasks (status sync,
    #: purges, QR expiry; run by one process at a time, see core/scheduler.py) and the
    #: webhook applier (``EMBEDDED_APPLIER``). Off for processes that must not touch the
    #: database behind the request path (the test suite's rolled-back transactions, for
    #: one).
    background_tasks: bool = True

    @field_validator("allowed_phone_numbers", "alert_webhook_urls", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.environment == "production":
            # Production runs behind HTTPS: session cookies never travel in clear text.
            self.cookie_secure = True
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise ConfigurationError(
                    "SECRET_KEY is missing or a placeholder. In production set SECRET_KEY to "
                    "a random value of at least 32 characters, e.g. "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
                )
        return self

    @property
    def docs_enabled(self) -> bool:
        if self.api_docs_enabled is not None:
            return self.api_docs_enabled
        return self.environment != "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret(self) -> str:
        """The signing/encryption secret, generated into ``data_dir`` when unset."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        self.secret_key = SecretStr(key)
        return key

    def ensure_dirs(self) -> None:
        """Create the data folders, readable by this user only: they hold the secret key,
        the SQLite database (Evolution keys, messages) and customers' invoices."""
        for folder in (self.data_dir, self.media_root):
            if not folder.exists():
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.is_sqlite and ":memory:" not in self.database_url:
            db_path = Path(self.database_url.split("///", 1)[-1].split("?", 1)[0])
            if not db_path.parent.exists():
                db_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # SQLite creates the file with the umask (0644) and its -wal/-shm files with
            # the file's mode: create it 0600 first, and tighten one made before. Never
            # open an existing database file here: closing any descriptor of it drops the
            # POSIX locks of this process's SQLite connections.
            if not db_path.exists():
                with contextlib.suppress(FileExistsError):  # another process was faster
                    os.close(os.open(db_path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
            for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
                if path.exists():
                    path.chmod(0o600)


@lru_cache
def get_settings() -> Settings:
    return Settings()
