from datetime import datetime, timedelta

from core.sweeps import register_sweep
from notifications.services.notify import notification_emails_retry


@register_sweep("notifications_retry_emails", schedule=timedelta(minutes=5))
def notifications_retry_emails(*, now: datetime) -> dict[str, int]:
    """Resend notification emails that failed or whose send task was lost."""
    return notification_emails_retry(now=now)
