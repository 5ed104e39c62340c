"""Bulk operations: one action (a template, disconnect, restart, delete, webhook
re-apply) over many instances, tracked with one result per instance and retried for the
failed ones."""
