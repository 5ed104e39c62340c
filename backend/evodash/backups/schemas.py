"""The backup document (JSON, version 1) and what an import reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evodash.alerts.models import RuleKind
from evodash.backups.crypto import ScryptCost
from evodash.core.params import Flag

FORMAT = "evodash-backup"
Sealed = Annotated[str, Field(max_length=4000, pattern=r"^v1:[A-Za-z0-9+/=]+$")]
Short = Annotated[str, Field(max_length=1000)]
MAX_ROWS = 10_000
#: The largest backup file accepted (the API's body limit, the CLI's file limit).
BACKUP_MAX_BYTES = 64 * 1024 * 1024


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Encryption(Strict):
    """How the file's secrets are sealed. scrypt's parameters are the exporting server's;
    an import takes any whose work (n·r·p) is at most that of evodash's own backups."""

    kdf: Literal["scrypt"]
    n: Literal[16384, 32768, 65536, 131072, 262144] = Field(
        description="scrypt's cost, a power of two"
    )
    r: int = Field(ge=1, le=16)
    p: int = Field(ge=1, le=16)
    salt: str = Field(max_length=100)
    cipher: Literal["AES-256-GCM"]
    check: Sealed

    @model_validator(mode="after")
    def _bounded_work(self) -> Encryption:
        if (problem := ScryptCost(self.n, self.r, self.p).problem()) is not None:
            raise ValueError(f"scrypt parameters refused: {problem}")
        return self


class ServerBackup(Strict):
    name: Short
    base_url: Short
    api_key: Sealed = Field(description="Sealed with the backup's passphrase")


class DestinationBackup(Strict):
    name: str = Field(min_length=1, max_length=100)
    url: Short
    events: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=100)
    secret_header_name: str | None = Field(default=None, max_length=64)
    secret_header_value: Sealed | None = Field(
        default=None, description="Sealed with the backup's passphrase"
    )
    max_attempts: int = Field(default=5, ge=1, le=10)
    retry_base_seconds: float = Field(default=5.0, ge=1, le=300)
    enabled: bool = True


class InstanceBackup(Strict):
    id: int = Field(ge=1, le=2**31 - 1, description="Kept when free: webhook URLs name it")
    server: Short = Field(description="The server's base_url")
    name: str = Field(max_length=64)
    display_name: str = Field(max_length=100)
    evolution_id: str | None = Field(default=None, max_length=64)
    token: Sealed | None = None
    webhook_secret: Sealed | None = None
    webhook_events: list[Annotated[str, Field(max_length=64)]] = Field(max_length=100)
    forward_url: Short | None = Field(
        default=None,
        description="Deprecated (backups before relay destinations): imported as a "
        "destination receiving every event",
    )
    destinations: list[DestinationBackup] = Field(default_factory=list, max_length=10)
    allowed_numbers: list[Annotated[str, Field(max_length=64)]] = Field(max_length=10_000)
    reply_with_summary: bool = False
    phone_number: str | None = Field(default=None, max_length=32)
    owner_jid: str | None = Field(default=None, max_length=128)
    profile_name: str | None = Field(default=None, max_length=200)
    message_retention_days: int | None = Field(default=None, ge=1, le=36500)


class UserBackup(Strict):
    username: str = Field(max_length=150)
    email: str | None = Field(default=None, max_length=254)
    role: Literal["admin", "operator", "viewer"]
    is_active: bool
    password_hash: str = Field(max_length=255, description="The hash, never the password")


class ApiKeyBackup(Strict):
    username: str = Field(max_length=150)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64)
    scopes: list[Annotated[str, Field(max_length=64)]] = Field(max_length=50)
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    can_create_keys: bool = False


class AlertRuleBackup(Strict):
    """An admin's settings for one alert rule (rules left at their defaults have none)."""

    kind: RuleKind
    enabled: bool
    params: dict[
        Annotated[str, Field(max_length=32)], Annotated[int, Field(ge=1, le=7 * 86_400)]
    ] = Field(default_factory=dict, max_length=10)


class Backup(Strict):
    """The whole file. Everything is readable except the sealed secrets."""

    format: Literal["evodash-backup"]
    version: Literal[1]
    created_at: datetime
    app_version: str = Field(max_length=50)
    encryption: Encryption
    servers: list[ServerBackup] = Field(max_length=MAX_ROWS)
    instances: list[InstanceBackup] = Field(max_length=MAX_ROWS)
    users: list[UserBackup] = Field(max_length=MAX_ROWS)
    api_keys: list[ApiKeyBackup] = Field(max_length=MAX_ROWS)
    #: Absent from files written before alerts existed.
    alert_rules: list[AlertRuleBackup] = Field(default_factory=list, max_length=len(RuleKind))


class KindCounts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportReport(BaseModel):
    dry_run: bool
    servers: KindCounts = Field(default_factory=KindCounts)
    instances: KindCounts = Field(default_factory=KindCounts)
    users: KindCounts = Field(default_factory=KindCounts)
    api_keys: KindCounts = Field(default_factory=KindCounts)
    alert_rules: KindCounts = Field(default_factory=KindCounts)


Passphrase = Annotated[str, Field(min_length=8, max_length=1000)]


class ExportRequest(BaseModel):
    passphrase: Passphrase = Field(description="Seals the secrets; needed again to import")


class BackupImportRequest(BaseModel):
    passphrase: Passphrase
    dry_run: Flag = Field(default=False, description="Report what would change, change nothing")
    backup: Backup


class BackupFile(BaseModel):
    name: str
    size_bytes: int
    created_at: datetime


class BackupStatus(BaseModel):
    scheduled: bool = Field(
        description="Automatic backups are on (BACKUP_DIR, BACKUP_INTERVAL_HOURS and "
        "EVODASH_BACKUP_PASSPHRASE set)"
    )
    interval_hours: float
    keep: int
    last: BackupFile | None = Field(description="The newest file in BACKUP_DIR")
    last_error: str | None = Field(description="Why the last automatic backup failed")
    files: int
    stored: list[BackupFile] = Field(
        default_factory=list, description="The files in BACKUP_DIR, newest first (at most 50)"
    )
