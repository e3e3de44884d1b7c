from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_http_methods

from accounts import views

# Django's auth views answer PUT (and more) like POST; these pages take only GET and POST.
get_post = require_http_methods(["GET", "POST"])

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("accounts/login/", get_post(views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", views.account, name="account"),
    path("accounts/token/revoke/", views.token_revoke, name="account-token-revoke"),
    path("accounts/time-zone/", views.account_time_zone, name="account-time-zone"),
    path("accounts/password/change/", get_post(views.PasswordChangeView.as_view()), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("accounts/password/reset/", get_post(views.PasswordResetView.as_view()), name="password_reset"),
    # The same page under the name Django's console login looks for ("Forgotten your password?").
    path("accounts/password/reset/", get_post(views.PasswordResetView.as_view()), name="admin_password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        get_post(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
