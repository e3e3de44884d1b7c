from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from accounts.api.views import TokenObtainApi, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="users")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
    *router.urls,
]
