"""Building blocks of the reviews pages of the console (``reviews.admin.reviews``, ``reviews.admin.cases``).

Reviews, responses, cases and their events are written only by the reviews services: the console
shows them read-only and changes them through forms and actions that call one service each. A
service's refusal (``DomainError``) is shown next to the form field it is about and nothing changes.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.durations import duration_text
from core.exceptions import DomainError


def stars(rating: int) -> SafeString:
    return format_html(
        '<span class="sp-stars sp-stars--{}" title="{} of 5">{}<span class="sp-stars__off">{}</span></span>',
        rating,
        rating,
        "★" * rating,
        "★" * (5 - rating),
    )


def age_text(since: datetime | None, *, now: datetime) -> str:
    return "—" if since is None else duration_text((now - since).total_seconds())


def posted(request: HttpRequest) -> Any:
    """The POST data for a bound form (even an empty one: a confirmation form has no fields)."""
    return request.POST if request.method == "POST" else None


def _attach(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def service_form_view(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    obj: Model,
    form: forms.Form,
    title: str,
    intro: str,
    submit_label: str,
    run: Callable[[dict[str, Any]], object],
    success_message: str,
    details: Iterable[tuple[str, object]] = (),
) -> HttpResponse:
    """GET shows ``form``; a valid POST calls ``run`` (one service call) and goes back to the
    object's page. A refusal is shown on the form (status 400, 409 for a state conflict)."""
    opts = model_admin.model._meta
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run(form.cleaned_data)
            except DomainError as error:
                _attach(form, error)
                status = error.status_code if error.status_code in (400, 409) else 400
            else:
                model_admin.message_user(request, success_message, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        else:
            status = 400
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "original": obj,
        "title": title,
        "intro": intro,
        "details": list(details),
        "form": form,
        "media": model_admin.media + form.media,
        "submit_label": submit_label,
        "cancel_url": change_url,
    }
    return TemplateResponse(request, "admin/service_form.html", context, status=status)


def bulk_form_action(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    form_class: type[forms.Form],
    title: str,
    intro: str,
    submit_label: str,
    run: Callable[[Any, dict[str, Any]], object],
    label: Callable[[Any], str] = str,
) -> HttpResponse | None:
    """An admin action that needs input (a reason): first an intermediate page with the form and
    the selected rows, then, posted with ``apply``, one service call per row. Refusals are
    reported row by row; the other rows are done."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        done, refused = [], []
        for obj in queryset:
            try:
                run(obj, form.cleaned_data)
            except DomainError as error:
                refused.append(f"{label(obj)}: {error.message}")
            else:
                done.append(label(obj))
        if done:
            model_admin.message_user(request, f"{submit_label}: {len(done)} ({'; '.join(done)}).", messages.SUCCESS)
        if refused:
            model_admin.message_user(request, f"Not changed: {'; '.join(refused)}", messages.ERROR)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "intro": intro,
        "form": form,
        "objects": [(obj.pk, label(obj)) for obj in queryset],
        "action": request.POST.get("action", ""),
        "submit_label": submit_label,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/reviews/bulk_action.html", context, status=400 if form.is_bound else 200)


def report(model_admin: admin.ModelAdmin, request: HttpRequest, verb: str, done: list[str], refused: list[str]) -> None:
    if done:
        model_admin.message_user(request, f"{verb}: {len(done)} ({'; '.join(done)}).", messages.SUCCESS)
    if refused:
        model_admin.message_user(request, f"Not changed: {'; '.join(refused)}", messages.ERROR)
