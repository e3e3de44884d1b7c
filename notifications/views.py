"""The notifications pages: the signed-in user's own notifications and marking them read; their
notification settings (``/settings/notifications/``); the one-click unsubscribe of every email."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from notifications.models import GROUP_LABELS, KIND_GROUPS, Delivery
from notifications.selectors.notifications import notification_list_for_user
from notifications.services.notify import notification_mark_read, notifications_mark_all_read
from notifications.services.preferences import (
    notification_preferences_update,
    notification_unsubscribe,
    preference_members_managed_by,
    preferences_for_users,
    unsubscribe_token_read,
)

PAGE_SIZE = 20


class PreferencesForm(forms.Form):
    """Every group's delivery and the deadline switch: the page always posts all of them."""

    deadline_email_now = forms.BooleanField(required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for group in KIND_GROUPS:
            self.fields[group] = forms.ChoiceField(choices=Delivery.choices, label=GROUP_LABELS[group])


def _back_to_list(request: HttpRequest) -> HttpResponseRedirect:
    """Return to the page the form was on (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:list")
    return HttpResponseRedirect(target)


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    page = Paginator(notification_list_for_user(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    # The unread count comes from the context processor (the header badge): one query for both.
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    notification = notification_list_for_user(user=user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification")  # someone else's is as absent as a missing one
    notification_mark_read(notification=notification, now=timezone.now())
    return _back_to_list(request)


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    notifications_mark_all_read(user=user, now=timezone.now())
    return _back_to_list(request)


# --- /settings/notifications/: each user's choices (and, for a store's owner, its members') -----


def _member_or_404(request: HttpRequest, user: User) -> User:
    """The user whose settings the page shows: the caller, or (``?member=``) one of the members of
    a store the caller owns. Anyone else is as absent as a missing user."""
    member_id = request.GET.get("member") or request.POST.get("member")
    if not member_id:
        return user
    if not member_id.isdigit():
        raise Http404("No such member")
    member = preference_members_managed_by(user).filter(pk=int(member_id)).first()
    if member is None:
        raise Http404("No such member")
    return member


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    subject = _member_or_404(request, user)
    form = PreferencesForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(
            user=subject,
            actor=user,
            now=timezone.now(),
            groups={group: form.cleaned_data[group] for group in KIND_GROUPS},
            deadline_email_now=form.cleaned_data["deadline_email_now"],
        )
        whose = "Your" if subject == user else f"{subject.display_name}'s"
        messages.success(request, f"{whose} notification settings are saved.")
        target = reverse("notification-settings")
        return HttpResponseRedirect(target if subject == user else f"{target}?member={subject.pk}")
    members = list(preference_members_managed_by(user))
    effective = preferences_for_users([subject, *members])
    return render(
        request,
        "notifications/settings.html",
        {
            "subject": subject,
            "is_own": subject == user,
            "preferences": effective[subject.pk],
            "deliveries": Delivery.choices,
            "members": [effective[member.pk] for member in members] if subject == user else [],
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


# --- One-click unsubscribe (RFC 8058): no login, the signed token is the authority --------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notification_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button (a link checker or mail scanner following the link changes
    nothing); POST (the button, or the mail client's ``List-Unsubscribe=One-Click``): the groups
    the email was about go in-app only at once. CSRF-exempt: the mail client posts from nowhere, and
    the token alone says whose setting changes (signed, salted)."""
    unsubscription = unsubscribe_token_read(token)
    if unsubscription is None:
        return render(
            request,
            "400.html",
            {"problem": "This unsubscribe link is damaged or was not made by us."},
            status=400,
        )
    labels = [GROUP_LABELS[group] for group in unsubscription.groups]
    if request.method == "POST":
        notification_unsubscribe(unsubscription=unsubscription, now=timezone.now())
        return render(request, "notifications/unsubscribed.html", {"labels": labels, "done": True})
    return render(request, "notifications/unsubscribed.html", {"labels": labels, "done": False, "token": token})
