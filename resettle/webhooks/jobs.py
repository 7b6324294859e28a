"""Webhook jobs."""

from resettle.jobs import register_job
from resettle.webhooks.delivery import deliver_pending_webhooks


@register_job("deliver_webhooks", "interval", "Send webhook events to partners, retrying failed ones", minutes=1)
def deliver_webhooks_job() -> int:
    return deliver_pending_webhooks()
