"""What each staff group may do with notifications (``accounts.services.roles``): support reads
the log of what was sent to whom, and each user's notification preferences."""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "support": [
        "notifications.view_notification",
        "notifications.view_notificationpreference",
        "notifications.view_notificationsettings",
    ],
}
