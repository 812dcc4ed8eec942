"""Outgoing webhooks: an outbox written with each change, delivered signed and retried with back-off."""
