"""Webhook receiver, event inbox, event handlers and forwarding.

Evolution posts every event of an instance to ``{PUBLIC_BASE_URL}/api/webhooks/evolution/
{instance id}`` (plus ``/{event-kebab}`` when ``byEvents`` is on), with the instance's
``webhook_secret`` in the :data:`SECRET_HEADER` header.
"""

from __future__ import annotations

#: The custom header evodash configures on Evolution's webhook to carry the secret.
SECRET_HEADER = "x-evodash-secret"
