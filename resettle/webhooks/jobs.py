"""Webhook jobs."""

from resettle.jobs import register_job
from resettle.webhooks.delivery import deliver_pending_webhooks, forget_old_deliveries


@register_job("deliver_webhooks", "interval", "Send webhook events to partners, retrying failed ones", minutes=1)
def deliver_webhooks_job() -> int:
    return deliver_pending_webhooks()


@register_job(
    "forget_old_webhook_deliveries", "cron", "Delete webhook delivery history past its keeping time", hour=3, minute=50
)
def forget_old_webhook_deliveries_job() -> int:
    return forget_old_deliveries()
