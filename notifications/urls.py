from django.urls import URLPattern, URLResolver, path

from notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notification_list, name="list"),
    path("<id:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read-all"),
    path("unsubscribe/<str:token>/", views.notification_unsubscribe_view, name="unsubscribe"),
]
