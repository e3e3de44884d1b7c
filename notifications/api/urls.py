from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from notifications.api.views import NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notifications")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
