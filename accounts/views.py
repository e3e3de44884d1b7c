"""The account pages: landing, login/logout, password change and reset (Django's views, our
templates), and the user's own account page (password, API token and its revocation). Where a
user lands is the landing page of the apps' navigation links they may see (``core.navigation``):
the console for staff (``accounts.navigation``), the seller dashboard for a store's members, the
messages for everyone else."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authtoken.models import Token

from accounts.forms import LoginForm, TimeZoneForm
from accounts.services.logins import LoginLocked, password_reset_requested
from accounts.services.time_zones import user_set_time_zone
from accounts.services.tokens import token_expired, token_expires_at, tokens_revoke
from core.clients import client_ip
from core.exceptions import DomainError
from core.forms import attach_domain_error, error_status
from core.navigation import landing_url_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    landing = landing_url_for(request.user) if request.user.is_authenticated else None
    if landing is not None:
        return redirect(landing)
    return render(request, "accounts/home.html")


class LoginView(auth_views.LoginView):
    """Django's login with the login limits: a locked account or client is 429 with the time."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response


class RevokeTokenOnPasswordMixin:
    """A new password revokes the API token issued with the old one."""

    def form_valid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)  # type: ignore[misc]
        tokens_revoke(user=form.user)
        return response


class PasswordChangeView(RevokeTokenOnPasswordMixin, auth_views.PasswordChangeView):
    """Django's password change."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email: the link is built on ``SITE_URL``, never on the request's Host;
    requests are limited per client and emails per address (``password_reset_requested``)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            send = password_reset_requested(
                email=form.cleaned_data["email"], client=client_ip(self.request), now=timezone.now()
            )
        except LoginLocked as locked:
            form.add_error(None, locked.message)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        if not send:  # this address had its share of emails: say the same, send nothing
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(RevokeTokenOnPasswordMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The user's own page: their details, their time zone, the password links and their API token."""
    return _account_page(request)


def _account_page(
    request: HttpRequest, *, time_zone_form: TimeZoneForm | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    tokens = [
        {
            "created": token.created,
            "expires_at": token_expires_at(token),
            "expired": token_expired(token, now=now),
            "hint": token.key[:6],
        }
        for token in Token.objects.filter(user_id=request.user.pk or 0)
    ]
    if time_zone_form is None:
        time_zone_form = TimeZoneForm(initial={"time_zone": getattr(request.user, "time_zone", "")})
    context = {"tokens": tokens, "time_zone_form": time_zone_form, "now": now}
    return render(request, "accounts/account.html", context, status=status)


@login_required
@require_POST
def account_time_zone(request: HttpRequest) -> HttpResponse:
    """Save the user's time zone; a zone not in the list is refused next to the field (400)."""
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        try:
            user_set_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])  # type: ignore[arg-type]
        except DomainError as error:
            attach_domain_error(form, error)
            return _account_page(request, time_zone_form=form, status=error_status(error))
        chosen = form.cleaned_data["time_zone"] or f"the platform's default ({settings.TIME_ZONE})"
        messages.success(request, f"Times are now shown in {chosen}.")
        return redirect("account")
    return _account_page(request, time_zone_form=form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    revoked = tokens_revoke(user=request.user)  # type: ignore[arg-type]
    if revoked:
        messages.success(request, "Your API token was revoked: calls made with it are refused from now on.")
    else:
        messages.info(request, "You had no API token to revoke.")
    return redirect("account")
