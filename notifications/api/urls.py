from django.urls import URLPattern, URLResolver

from core.api.routers import IdRouter
from notifications.api.views import NotificationViewSet

router = IdRouter()
router.register("notifications", NotificationViewSet, basename="notifications")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
