"""Fleet templates: one configuration (webhook events, Evolution settings, allow-list,
relay destinations) applied to many instances, with a preview, per-instance results and
drift."""
