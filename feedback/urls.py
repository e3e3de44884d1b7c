"""The customer's survey pages and the feedback form (names are global, like the other apps')."""

from django.urls import URLPattern, URLResolver, path

from feedback import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<str:token>/", views.survey, name="survey"),
    path("feedback/", views.feedback, name="feedback"),
]
