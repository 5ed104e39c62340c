"""Relay destinations: each instance forwards its events to up to ten receivers (n8n,
Chatwoot, a CRM), each with its own event filter, optional secret header and retry policy.

Evolution allows one webhook per instance and evodash takes it; destinations are how
others still get the events. Attempts are ``webhook_delivery`` rows run as ``forward``
jobs (:mod:`evodash.webhooks.forwarding`).
"""
