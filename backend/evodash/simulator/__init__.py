"""A faithful fake of Evolution API v2 (2.3.6, WhatsApp over Baileys) for demos and tests.

Start it with :func:`run_simulator` (``evodash simulator --port 8081 --api-key …`` or
``python -m evodash.simulator``), or build the ASGI app with :func:`create_simulator_app`.

Evolution routes (same paths, methods, status codes, bodies and error envelopes as the
real server, see ``shared/evolution-api/recorded/``): ``GET /``, ``POST /verify-creds``,
``POST /instance/create``, ``GET /instance/fetchInstances``, ``GET
/instance/connect/{name}[?number=]``, ``GET /instance/connectionState/{name}``, ``POST
/instance/restart/{name}``, ``DELETE /instance/logout/{name}``, ``DELETE
/instance/delete/{name}``, ``POST /instance/setPresence/{name}``, ``POST|GET
/webhook/set|find/{name}``, ``POST|GET /settings/set|find/{name}``, ``POST
/message/sendText/{name}``, ``POST /chat/getBase64FromMediaMessage/{name}``, ``POST
/chat/whatsappNumbers/{name}``, ``POST /chat/findMessages/{name}`` (every message the
instance stored, webhook delivered or not). Anything else answers 404 ``Cannot <METHOD> <path>``.

Webhooks are delivered as the real server does: only to an enabled per-instance webhook
whose ``events`` list the event, to ``url`` (or ``url/<event-suffix>`` with ``byEvents``),
with the custom headers, and retried with exponential backoff on 429/5xx/network errors.

Control API (``apikey`` = the global key; all bodies JSON, camelCase):

``GET /_sim/state``
    Instances (state, token, QR, webhook, message ids), faults and webhook deliveries.
``POST /_sim/reset``
    Forget everything.
``POST /_sim/whatsapp`` ``{"reachable": false, "unregisteredNumbers": ["5521900000000"]}``
    ``reachable: false`` is the recorded offline server: ``connect`` answers ``{"count":
    0}`` and the instance sends ``connection.update connecting`` forever.
``POST /_sim/webhooks/flush?wait=10[&instance=name]``
    Wait until every pending delivery (with retries) has finished, or only that instance's.
``POST /_sim/instances/{name}/scan`` ``{"number": "5511987654321", "profileName": "…",
"profilePictureUrl": null}``
    The QR (or pairing code) is scanned: ``open``, ``connection.update open``.
``POST /_sim/instances/{name}/drop`` ``{"reason": 401}``
    Connection lost. 401/402/403/406 are terminal (``status.instance``,
    ``logout.instance``, ``connection.update close``); 408/428/440/500/503/515 reconnect.
``POST /_sim/instances/{name}/zombie`` ``{"on": true, "failAfterMs": 60000}``
    The "zombie": ``connectionState`` keeps saying ``open`` but the socket is dead. The
    instance sends no webhook, and ``whatsappNumbers`` / ``sendText`` hang
    ``failAfterMs`` then fail ("Timed Out"). ``{"on": false}`` brings it back to life.
``POST /_sim/instances/{name}/qrcode``
    Show the next QR code now instead of waiting ``qr_interval``.
``POST /_sim/instances/{name}/messages``
    ``{"from": "5521998765432", "pushName": "Maria", "type": "text", "text": "Oi"}`` or
    ``{"from": …, "type": "image", "caption": "…", "image": {"kind": "pix" | "boleto" |
    "invoice" | "raw", "amount": "150.00", "dueDate": "2026-12-10", "base64": "…"}}``;
    optional ``addressing`` (``lid`` default | ``pn``), ``groupJid``, ``fromMe``, ``id``,
    ``timestamp`` (Unix seconds, default now) and ``deliverWebhook: false`` (stored, but
    no webhook ever sent: only ``findMessages`` tells about it).
    Emits ``messages.upsert`` (with ``message.base64`` when the webhook has base64 on)
    and answers ``{"id", "message", "image": {what was drawn}}``. The image bytes are
    then served by ``getBase64FromMediaMessage`` for that message id.
``DELETE /_sim/instances/{name}/messages/{id}``
    The sender deletes the message for everyone (``messages.delete``).
``POST /_sim/instances/{name}/messages/{id}/status`` ``{"status": "READ"}``
    A receipt for a message (``messages.update``).
``POST /_sim/sinks/{name}`` (no key), ``PUT|GET /_sim/sinks/{name}`` ``{"status": 503}``
    A forwarding destination (n8n, a CRM) for evodash's relays: it answers every post
    with its status (200 until set) and keeps the latest bodies.
``GET|POST|DELETE /_sim/faults``
    ``{"route": "/instance/connect/*", "method": "GET", "latencyMs": 0, "status": 503,
    "body": null, "garbage": false, "hang": false, "times": 1}``: delay, fail (with the
    Evolution envelope unless ``body`` is given), answer HTML, or never answer.
"""

from __future__ import annotations

from evodash.simulator.app import create_simulator_app, get_simulator
from evodash.simulator.config import RetryPolicy, SimulatorConfig
from evodash.simulator.server import run_simulator
from evodash.simulator.service import Simulator

__all__ = [
    "RetryPolicy",
    "Simulator",
    "SimulatorConfig",
    "create_simulator_app",
    "get_simulator",
    "run_simulator",
]
