"""Every route under /api/v1/. Each app contributes its own ``api_urls``."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("marketplace.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("inquiries.api_urls")),
    path("", include("reviews.api_urls")),
]
