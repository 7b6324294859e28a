"""Email jobs."""

from resettle.jobs import register_job
from resettle.notifications.email import send_pending_email


@register_job("send_pending_email", "interval", "Retry email that could not be sent straight away", minutes=5)
def send_pending_email_job() -> int:
    return send_pending_email()


@register_job(
    "forget_submission_keys",
    "cron",
    "Forget one-time form keys and API Idempotency-Keys older than a week",
    hour=3,
    minute=40,
)
def forget_submission_keys_job() -> int:
    from resettle.api.idempotency import forget_old_idempotency_keys
    from resettle.web.submissions import forget_old_submission_keys

    return forget_old_submission_keys() + forget_old_idempotency_keys()
