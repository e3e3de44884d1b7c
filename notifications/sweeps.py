from datetime import datetime, timedelta

from celery.schedules import crontab
from django.conf import settings

from core.sweeps import register_sweep
from notifications.services.digest import notification_digests_send
from notifications.services.notify import notification_emails_retry


@register_sweep("notifications_retry_emails", schedule=timedelta(minutes=5))
def notifications_retry_emails(*, now: datetime) -> dict[str, int]:
    """Resend notification emails that failed or whose send task was lost."""
    return notification_emails_retry(now=now)


@register_sweep("notifications_digest", schedule=crontab(hour=settings.NOTIFICATIONS_DIGEST_HOUR, minute=0))
def notifications_digest(*, now: datetime) -> dict[str, int]:
    """Send each user one email with every notice queued for their daily digest (run at any time,
    it sends what is queued)."""
    return notification_digests_send(now=now)
