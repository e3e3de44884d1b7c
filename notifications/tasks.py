from celery import shared_task
from django.utils import timezone

from notifications.services.notify import notification_emails_send


@shared_task(name="notifications.send_emails")
def send_notification_emails_task(notification_ids: list[int]) -> dict[str, int]:
    """Send these notifications' queued emails (claimed in batches: safe to run twice, or beside
    the retry sweep; each email goes out once)."""
    return notification_emails_send(notification_ids=notification_ids, now=timezone.now())
