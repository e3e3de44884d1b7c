from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors.notifications import notification_unread_count


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    # Lazy: pages that do not show the badge do not pay for the query.
    return {"unread_notifications": SimpleLazyObject(lambda: notification_unread_count(user=user))}
