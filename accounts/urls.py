from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_http_methods

from accounts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        # Django's LoginView also answers PUT like POST; the page takes only GET and POST.
        require_http_methods(["GET", "POST"])(
            auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
