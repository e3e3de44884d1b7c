"""The buyer's support pages (names are global, like the other apps' pages)."""

from django.urls import URLPattern, URLResolver, path

from helpdesk import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("support/", views.support_list, name="support"),
    path("support/new/", views.support_new, name="support-new"),
    path("support/<id:pk>/", views.support_ticket, name="support-ticket"),
    path("help/", views.help_centre, name="help"),
    path("help/<slug:slug>/", views.help_article, name="help-article"),
]
