from django.urls import URLPattern, URLResolver, path

from core.api.routers import IdRouter
from notifications.api.preferences import NotificationPreferencesApi
from notifications.api.views import NotificationViewSet

router = IdRouter()
router.register("notifications", NotificationViewSet, basename="notifications")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("me/notification-preferences/", NotificationPreferencesApi.as_view(), name="notification-preferences"),
]
