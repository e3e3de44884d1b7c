"""The notifications page: the signed-in user's own notifications, and marking them read."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from notifications.selectors.notifications import notification_list_for_user
from notifications.services.notify import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 20


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
