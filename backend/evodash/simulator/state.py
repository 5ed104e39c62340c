"""In-memory state of the simulated server: instances, settings, webhooks, messages, faults."""

from __future__ import annotations

import asyncio
import secrets
import string
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

State = Literal["open", "connecting", "close"]

_CUID_ALPHABET = string.ascii_lowercase + string.digits


def now_iso() -> str:
    """``2026-11-28T22:34:21.124Z`` (JavaScript ``Date.toISOString``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def cuid() -> str:
    """A Prisma-cuid-looking row id (``cmx0zmg2v0000hd7dkqwg8xwt``)."""
    return "cm" + "".join(secrets.choice(_CUID_ALPHABET) for _ in range(23))


def new_token() -> str:
    return str(uuid.uuid4()).upper()


SETTING_KEYS = (
    "rejectCall",
    "msgCall",
    "groupsIgnore",
    "alwaysOnline",
    "readMessages",
    "readStatus",
    "syncFullHistory",
    "wavoipToken",
)


@dataclass(slots=True)
class SettingsRow:
    instance_id: str
    values: dict[str, Any]
    id: str = field(default_factory=cuid)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)

    def public(self) -> dict[str, Any]:
        return {k: self.values.get(k) for k in SETTING_KEYS}

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.public(),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "instanceId": self.instance_id,
        }


@dataclass(slots=True)
class WebhookRow:
    instance_id: str
    url: str
    enabled: bool
    events: list[str]
    headers: dict[str, Any] | None = None
    by_events: bool = False
    base64: bool = False
    id: str = field(default_factory=cuid)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "headers": self.headers,
            "enabled": self.enabled,
            "events": list(self.events),
            "webhookByEvents": self.by_events,
            "webhookBase64": self.base64,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "instanceId": self.instance_id,
        }


@dataclass(slots=True)
class QrState:
    count: int = 0
    code: str | None = None
    base64: str | None = None
    pairing_code: str | None = None
    generated: bool = False

    def body(self) -> dict[str, Any]:
        """What ``connect`` answers: just ``{"count"}`` until a QR was ever produced."""
        if not self.generated:
            return {"count": self.count}
        return {
            "pairingCode": self.pairing_code,
            "code": self.code,
            "base64": self.base64,
            "count": self.count,
        }


@dataclass(slots=True)
class StoredMessage:
    key_id: str
    remote_jid: str
    from_me: bool
    data: dict[str, Any]
    db_id: str = field(default_factory=cuid)
    media: bytes | None = None
    mimetype: str | None = None
    caption: str | None = None
    width: int | None = None
    height: int | None = None
    #: Receipts stored for it (``MessageUpdate`` rows), in arrival order.
    updates: list[str] = field(default_factory=list)
    #: Insertion order, the tie-break of equal timestamps (the server has none).
    seq: int = 0


@dataclass(slots=True, eq=False)
class Instance:
    name: str
    token: str
    integration: str
    settings: SettingsRow
    number: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: State = "close"
    connection_status: State = "close"
    owner_jid: str | None = None
    profile_name: str | None = None
    profile_pic_url: str | None = None
    disconnection_reason_code: int | None = None
    disconnection_object: str | None = None
    disconnection_at: str | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    webhook: WebhookRow | None = None
    qr: QrState = field(default_factory=QrState)
    pairing_number: str | None = None
    #: The own JID (``wuid``); webhooks carry it as ``sender`` once the instance was open.
    sender: str | None = None
    #: A Baileys socket was created at least once (changes sendText's error).
    had_socket: bool = False
    #: ``webhook.base64`` as read when the socket was created (CONTRACT §6.1).
    socket_base64: bool = False
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    contacts: set[str] = field(default_factory=set)
    chats: set[str] = field(default_factory=set)
    task: asyncio.Task[None] | None = None
    #: The "zombie" fault: the state stays ``open`` but the socket is dead. No event is
    #: sent, and calls that need WhatsApp fail after ``zombie_fail_after_ms``.
    zombie: bool = False
    zombie_fail_after_ms: int = 60_000

    def touch(self) -> None:
        self.updated_at = now_iso()

    def row(self, client_name: str) -> dict[str, Any]:
        """A ``fetchInstances`` item (the raw DB row with relations)."""
        return {
            "id": self.id,
            "name": self.name,
            "connectionStatus": self.connection_status,
            "ownerJid": self.owner_jid,
            "profileName": self.profile_name,
            "profilePicUrl": self.profile_pic_url,
            "integration": self.integration,
            "number": self.number,
            "businessId": None,
            "token": self.token,
            "clientName": client_name,
            "disconnectionReasonCode": self.disconnection_reason_code,
            "disconnectionObject": self.disconnection_object,
            "disconnectionAt": self.disconnection_at,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "Chatwoot": None,
            "Proxy": None,
            "Rabbitmq": None,
            "Nats": None,
            "Sqs": None,
            "Websocket": None,
            "Setting": self.settings.row(),
            "_count": {
                "Message": len(self.messages),
                "Contact": len(self.contacts),
                "Chat": len(self.chats),
            },
        }

    def summary(self) -> dict[str, Any]:
        """What ``GET /_sim/state`` shows for this instance."""
        return {
            "id": self.id,
            "name": self.name,
            "token": self.token,
            "state": self.state,
            "connectionStatus": self.connection_status,
            "ownerJid": self.owner_jid,
            "sender": self.sender,
            "qrcode": self.qr.body(),
            "pairingNumber": self.pairing_number,
            "webhook": self.webhook.row() if self.webhook else None,
            "settings": self.settings.public(),
            "messages": [m.key_id for m in self.messages.values()],
            "zombie": self.zombie,
        }


@dataclass(slots=True)
class Fault:
    """A rule of ``POST /_sim/faults`` matched against Evolution routes."""

    route: str
    method: str | None = None
    latency_ms: int = 0
    status: int | None = None
    body: Any = None
    garbage: bool = False
    hang: bool = False
    times: int | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    hits: int = 0


@dataclass(slots=True)
class DeliveryRecord:
    """One webhook POST (with its retries) as seen from the simulator."""

    event: str
    instance: str
    url: str
    body: dict[str, Any]
    attempts: int = 0
    statuses: list[int | str] = field(default_factory=list)
    delivered: bool = False
    done: bool = False

    def public(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "instance": self.instance,
            "url": self.url,
            "attempts": self.attempts,
            "statuses": list(self.statuses),
            "delivered": self.delivered,
            "done": self.done,
        }


@dataclass(slots=True)
class Sink:
    """A stand-in for a third party evodash forwards events to (n8n, a CRM): answers every
    POST with ``status`` and keeps the latest bodies, and the headers each came with
    (names lower case; ``headers[i]`` goes with ``received[i]``)."""

    status: int = 200
    received: deque[Any] = field(default_factory=lambda: deque(maxlen=200))
    headers: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=200))


class SimulatorState:
    """Everything the simulated server keeps (a real one keeps it in PostgreSQL)."""

    def __init__(self, client_name: str) -> None:
        self.client_name = client_name
        self.instances: dict[str, Instance] = {}
        self.faults: list[Fault] = []
        self.deliveries: deque[DeliveryRecord] = deque(maxlen=2000)
        #: ``False`` reproduces the recorded server: no route to WhatsApp, no QR ever.
        self.whatsapp_reachable = True
        #: Numbers that ``sendText`` reports as not on WhatsApp.
        self.unregistered_numbers: set[str] = set()
        #: ``connectionState`` calls (wall-clock time, instance): how often evodash polls.
        self.probes: deque[tuple[float, str]] = deque(maxlen=5000)
        #: Forwarding destinations (``/_sim/sinks/{name}``), made on first use.
        self.sinks: dict[str, Sink] = {}

    def find_by_token(self, token: str) -> list[Instance]:
        return [i for i in self.instances.values() if i.token == token]

    def snapshot(self) -> dict[str, Any]:
        return {
            "whatsappReachable": self.whatsapp_reachable,
            "unregisteredNumbers": sorted(self.unregistered_numbers),
            "instances": [i.summary() for i in self.instances.values()],
            "faults": [
                {
                    "id": f.id,
                    "route": f.route,
                    "method": f.method,
                    "status": f.status,
                    "times": f.times,
                    "hits": f.hits,
                }
                for f in self.faults
            ],
            "deliveries": [d.public() for d in self.deliveries],
            "probes": [{"at": at, "instance": name} for at, name in self.probes],
        }
