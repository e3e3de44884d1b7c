"""``/settings/notifications/``: every signed-in user's notification settings."""

from django.urls import URLPattern, URLResolver, path

from notifications import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", views.notification_settings, name="notification-settings"),
]
