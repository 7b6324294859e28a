"""Email jobs."""

from resettle.jobs import register_job
from resettle.notifications.email import send_pending_email


@register_job("send_pending_email", "interval", "Retry email that could not be sent straight away", minutes=5)
def send_pending_email_job() -> int:
    return send_pending_email()
