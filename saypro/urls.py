from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import api_not_found, healthz

admin.site.site_header = "SayPro moderators' console"
admin.site.site_title = "SayPro console"
admin.site.index_title = "Queues and records"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("saypro.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/(?P<unmatched>.*)$", api_not_found, name="api-not-found"),
    path("", include("accounts.urls")),
    # The buyer's messages (/messages/) and the seller dashboard (/seller/) are the inquiry pages.
    path("", include("inquiries.urls")),
    # The buyer's reviews and cases (/reviews/) and the seller's reviews (/seller/reviews/).
    path("", include("reviews.urls")),
    # The buyer's own orders, invoices, receipts, payments and refunds (/orders/).
    path("", include("marketplace.urls")),
    # The buyer's support requests (/support/).
    path("", include("helpdesk.urls")),
    # The affiliate's statements and preview (/royalty/, /seller/royalty/).
    path("", include("royalty.urls")),
    path("notifications/", include("notifications.urls")),
    # Each user's notification settings (/settings/notifications/).
    path("settings/", include("notifications.settings_urls")),
    # Satisfaction surveys by their token link (/surveys/<token>/, no login) and the feedback form.
    path("", include("feedback.urls")),
]

handler400 = "core.views.handler400"
handler404 = "core.views.handler404"
handler500 = "core.views.handler500"
