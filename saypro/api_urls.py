"""Every route under /api/v1/. Each app contributes its own ``<app>.api.urls``."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("marketplace.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("inquiries.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("helpdesk.api.urls")),
    path("", include("royalty.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("feedback.api.reports")),  # the Feedback & CSAT reports
    path("", include("royalty.api.insight_urls")),
]
