from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """The caller's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
