from django.urls import URLPattern, URLResolver, path

from accounts.api.views import TokenObtainApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
]
