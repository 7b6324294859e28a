"""Outgoing email through an outbox: queued in the same transaction as the change it reports."""
