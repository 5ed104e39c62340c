"""Webhook bodies as the simulated server posts them, for load generators and examples.

The benchmarks post thousands of events a second without running a simulator; they take
their bodies from here so that Evolution's field names stay in the simulator and in
:mod:`evodash.evolution` (the only two places that speak the wire format).
"""

from __future__ import annotations

from typing import Any

from evodash.simulator.events import CONNECTION_UPDATE, MESSAGES_UPDATE, MESSAGES_UPSERT
from evodash.simulator.messages import (
    inbound_key,
    message_context_info,
    message_object,
    user_jid,
)
from evodash.simulator.state import new_token, now_iso

INSTANCE_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
OWNER = "5511987654321"


def envelope(
    instance: str, event: str, data: Any, *, date_time: str | None = None
) -> dict[str, Any]:
    """The body around ``data`` (``WebhookDispatcher.emit``), with an instance token."""
    return {
        "event": event,
        "instance": instance,
        "data": data,
        "destination": "http://127.0.0.1/api/webhooks/evolution",
        "date_time": date_time or now_iso(),
        "sender": user_jid(OWNER),
        "server_url": "http://127.0.0.1:8080",
        "apikey": new_token(),
    }


def text_upsert(
    instance: str, *, message_id: str, sender: str, text: str, timestamp: int
) -> dict[str, Any]:
    """``messages.upsert`` of a text a contact sent (phone-number addressing)."""
    key = inbound_key(
        sender=sender, message_id=message_id, from_me=False, addressing="pn", group_jid=None
    )
    data = message_object(
        key=key,
        push_name="Maria Souza",
        status="DELIVERY_ACK",
        message={"conversation": text, "messageContextInfo": message_context_info()},
        message_type="conversation",
        instance_id=INSTANCE_ID,
    )
    data["messageTimestamp"] = timestamp
    return envelope(instance, MESSAGES_UPSERT, data)


def status_update(instance: str, *, message_id: str, sender: str, status: str) -> dict[str, Any]:
    """``messages.update``: a delivery receipt of a message (``messaging.emit_status``)."""
    data = {
        "keyId": message_id,
        "remoteJid": user_jid(sender),
        "fromMe": False,
        "status": status,
        "instanceId": INSTANCE_ID,
        "messageId": "cm5y2b7xk000bl708u1v2w3x4",
    }
    return envelope(instance, MESSAGES_UPDATE, data)


def connection_update(instance: str, *, state: str, date_time: str) -> dict[str, Any]:
    """``connection.update`` of the instance (``open`` carries the owner's JID)."""
    data: dict[str, Any] = {"instance": instance, "state": state, "statusReason": 200}
    if state == "open":
        data.update({"wuid": user_jid(OWNER), "profileName": "Acme", "profilePictureUrl": None})
    return envelope(instance, CONNECTION_UPDATE, data, date_time=date_time)
