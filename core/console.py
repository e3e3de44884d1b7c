"""The moderators' console (Django admin) pieces every app's ``admin/`` package uses.

Records that services write are read-only in the console (``ReadOnlyAdmin``,
``ReadOnlyTabularInline``); every change goes through a page or an action that calls one service:

- ``service_form_view``: the page of a record's action (``/<id>/<action>/``): the form asks only
  what the service needs; a valid POST calls the service once with the acting user and the time
  (``ServiceCall``). A refusal is shown next to the field it is about, nothing changes, and the
  page answers 400 (bad input) or 409 (the record's state does not allow it).
- ``action_object``: the record of such a page for the user: 404 when the user may not see it,
  then 403 when they see it but may not act (never the other way round, so the answer does not
  reveal records).
- ``bulk_service_action``: a changelist action that calls the service once per selected row,
  optionally after an intermediate page asking for input (a reason); refusals are reported row by
  row and the other rows are done.
- ``ReadOnlyAdmin.action_pages``: a record's action pages declared (path, view, permission, the
  change page's flag), wired through ``action_object``; ``QueryFilter``: a changelist filter of
  named conditions; ``admin_link``, ``badge``, ``due_badge``, ``QueueCard`` for the index page.

Nothing here knows an app: the user is whatever ``request.user`` is (``AUTH_USER_MODEL``), the
record whatever the model admin manages.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.durations import duration_text
from core.exceptions import DomainError
from core.forms import attach_domain_error, error_status
from core.idempotency import one_time_form
from core.timezones import local_time_text

SERVICE_FORM_TEMPLATE = "admin/service_form.html"
BULK_ACTION_TEMPLATE = "admin/bulk_action.html"


# --- The site ---------------------------------------------------------------------------------


class ConsoleSite(admin.AdminSite):
    """The console's admin site (``saypro.apps.ConsoleAdminConfig`` makes it ``admin.site``).

    Django builds the list of every app and model the user may open (a permission check and two
    URL reversals per model: about 3 ms for the console's forty-odd models) for *every* admin page,
    for the navigation sidebar; the queue pages do not show the sidebar. Here the list is built
    when a page first reads it, and not at all on a page that does not."""

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> Any:
        return SimpleLazyObject(lambda: admin.AdminSite.get_app_list(self, request, app_label))


# --- Who acts, on what ------------------------------------------------------------------------


def acting_user(request: HttpRequest) -> Any:
    """The signed-in user a console action is recorded against (``admin_view`` has already sent
    anonymous visitors to the login page; this is the guard should a view be wired without it)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def posted(request: HttpRequest) -> Any:
    """The POST data for a bound form (even an empty one: a confirmation form has no fields)."""
    return request.POST if request.method == "POST" else None


def action_object(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, *, may_act: Callable[[HttpRequest], bool]
) -> Any:
    """The record ``object_id`` for an action page: 404 when missing or not visible to the user,
    403 when visible but ``may_act`` says no."""
    obj = model_admin.get_object(request, object_id)
    if obj is None or not model_admin.has_view_permission(request, obj):
        raise Http404
    if not may_act(request):
        raise PermissionDenied
    return obj


def change_url(obj: Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


# --- Display helpers --------------------------------------------------------------------------


def admin_link(obj: Model | None, text: object = None) -> SafeString | str:
    """A link to the change page of ``obj`` (or "—" when there is none); the text is escaped."""
    if obj is None:
        return "—"
    return format_html('<a href="{}">{}</a>', change_url(obj), text if text is not None else obj)


def badge(text: str, tone: str) -> SafeString:
    return format_html('<span class="sp-badge sp-badge--{}">{}</span>', tone, text)


def due_badge(due_at: datetime | None, *, now: datetime, tz: tzinfo | None = None) -> SafeString | str:
    """A due time, highlighted when it has passed or is less than an hour away (``tz``: the active
    zone, when the caller has it: ``local_time_text``)."""
    if due_at is None:
        return "—"
    when = local_time_text(due_at, tz=tz)
    if due_at <= now:
        return format_html(
            '{} <span class="sp-badge sp-badge--overdue">overdue {}</span>',
            when,
            duration_text((now - due_at).total_seconds()),
        )
    if (due_at - now).total_seconds() <= 3600:
        return format_html('{} <span class="sp-badge sp-badge--due-soon">due within the hour</span>', when)
    return when


def age_text(since: datetime | None, *, now: datetime) -> str:
    return "—" if since is None else duration_text((now - since).total_seconds())


@dataclass(frozen=True)
class QueueCard:
    """A live count on the console's index page (``templates/admin/index.html``), linking to the
    list it counts; each app's template tag gives the cards its user may open."""

    label: str
    count: int
    url: str
    tone: str  # "neutral", "warning" or "alert" when the count is not zero


# --- List filters -------------------------------------------------------------------------------

Condition = Q | Callable[[HttpRequest], Q]


class QueryFilter(admin.SimpleListFilter):
    """A changelist filter whose choices are named conditions: ``conditions = {value: (label,
    condition)}``, a condition being a ``Q`` or ``condition(request) -> Q`` (for "mine" or "older
    than an hour": the user, the time). With ``default``, that choice applies when none is asked
    (a queue opens on the work still to do) and "All" becomes an explicit choice."""

    conditions: ClassVar[dict[str, tuple[str, Condition]]] = {}
    default: ClassVar[str | None] = None
    all_label: ClassVar[str] = "All"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        choices = [(value, label) for value, (label, _) in self.conditions.items()]
        return [*choices, ("all", self.all_label)] if self.default is not None else choices

    def value(self) -> str | None:
        return super().value() or self.default

    def choices(self, changelist: Any) -> Any:
        if self.default is None:
            yield from super().choices(changelist)
            return
        # No "All" entry of Django's own: "all" is an explicit choice, the default is preselected.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        entry = self.conditions.get(self.value() or "")
        if entry is None:
            return queryset
        condition = entry[1]
        return queryset.filter(condition(request) if callable(condition) else condition)


# --- Long lists -------------------------------------------------------------------------------


class CappedCountPaginator(Paginator):
    """A changelist paginator that counts at most ``cap`` + 1 rows (``SELECT COUNT(*) FROM (...
    LIMIT cap + 1)``): on a queue of tens of thousands the exact total costs more than the page
    itself, and nobody pages past the first thousand (they filter). ``is_capped`` says the count
    stopped there; ``templates/admin/capped_pagination.html`` shows it as "more than 1,000".
    Pair it with ``show_full_result_count = False`` (the unfiltered total is a second count)."""

    cap: ClassVar[int] = 1000

    @cached_property
    def count(self) -> int:
        # Any cap + 1 rows count the same as the first ones: no ORDER BY, the planner picks the index.
        rows: Any = self.object_list
        head = rows.order_by()[: self.cap + 1] if hasattr(rows, "order_by") else rows[: self.cap + 1]
        return len(head) if isinstance(head, list | tuple) else int(head.count())

    @cached_property
    def num_pages(self) -> int:
        # Past the cap the pages stop at the cap: no last page holding the one row that said "more".
        if self.is_capped:
            return max(1, self.cap // self.per_page)
        return super().num_pages

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap_text(self) -> str:
        return f"{self.cap:,}"


# --- Read-only records ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionPage:
    """A page for one action on one record: ``<id>/<path>/``, URL name ``<app>_<model>_<name>``
    (``name`` defaults to ``path``). ``view`` names the model admin's method ``(request, record)``;
    the record comes checked by ``action_object`` against ``allowed`` (the name of the admin's
    ``has_<...>_permission(request)``), and ``flag`` is the change page's context variable that
    says whether to offer the action."""

    path: str
    view: str
    allowed: str
    flag: str
    name: str = ""


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record written only by services: staff with the view permission may look, nobody may
    add, change or delete it here; what changes it are its ``action_pages``, one service each."""

    action_pages: ClassVar[tuple[ActionPage, ...]] = ()

    def action_checkbox(self, obj: Any) -> SafeString:
        """The row's selection checkbox, the HTML Django's widget renders, without a template
        render per row (a quarter of a millisecond each: 14 ms on a 50-row queue)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            obj,
        )

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        pages = [
            path(
                f"<path:object_id>/{page.path}/",
                self.admin_site.admin_view(self._action_view(page)),
                name=f"{opts.app_label}_{opts.model_name}_{page.name or page.path}",
            )
            for page in self.action_pages
        ]
        return [*pages, *super().get_urls()]

    def _action_view(self, page: ActionPage) -> Callable[[HttpRequest, str], HttpResponse]:
        @one_time_form  # the service form's {% form_token %}: a doubled submit acts once
        def view(request: HttpRequest, object_id: str) -> HttpResponse:
            record = action_object(self, request, object_id, may_act=getattr(self, page.allowed))
            response: HttpResponse = getattr(self, page.view)(request, record)
            return response

        return view

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        flags = {page.flag: getattr(self, page.allowed)(request) for page in self.action_pages}
        return super().change_view(request, object_id, form_url, {**flags, **(extra_context or {})})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    """The rows a service wrote under a record (its history, its lines), shown read-only;
    ``related`` names the foreign keys the columns show, fetched with the rows (no query per row)."""

    extra = 0
    max_num = 0
    can_delete = False
    related: ClassVar[tuple[str, ...]] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.related) if self.related else queryset

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- One service call per page or row ----------------------------------------------------------


@dataclass(frozen=True)
class ServiceCall:
    """What a console page or action hands the service: the form's cleaned data, the acting user
    (recorded by the service as who did it) and the time of the request."""

    data: Mapping[str, Any]
    actor: Any
    now: datetime


def service_form_view(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    obj: Model,
    form: forms.Form,
    title: str,
    intro: str,
    submit_label: str,
    run: Callable[[ServiceCall], object],
    success_message: str | Callable[[Any], str],
    details: Iterable[tuple[str, object]] = (),
    open_result: bool = False,
    refused_message: str | None = None,
    template: str = SERVICE_FORM_TEMPLATE,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """GET shows ``form`` about ``obj``; a valid POST calls ``run`` (one service call) and goes back
    to ``obj``'s page (``open_result``: to the page of the record ``run`` returned, e.g. a new
    invoice version). Invalid input is a 400 with the field at fault; a service refusal is shown
    on the form (400, or 409 for a state conflict; ``refused_message`` also flashes it) and
    nothing is changed."""
    actor = acting_user(request)
    back_url = change_url(obj)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = run(ServiceCall(data=form.cleaned_data, actor=actor, now=timezone.now()))
            except DomainError as error:
                attach_domain_error(form, error)
                status = error_status(error)
                if refused_message:
                    model_admin.message_user(request, f"{refused_message}: {error.message}", messages.ERROR)
            else:
                message = success_message(result) if callable(success_message) else success_message
                model_admin.message_user(request, message, messages.SUCCESS)
                target = result if open_result and isinstance(result, Model) else obj
                return HttpResponseRedirect(change_url(target))
        else:
            status = 400
    page = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": obj,
        "title": title,
        "intro": intro,
        "details": list(details),
        "form": form,
        "media": model_admin.media + form.media,
        "submit_label": submit_label,
        "cancel_url": back_url,
        **(context or {}),
    }
    return TemplateResponse(request, template, page, status=status)


@dataclass(frozen=True)
class Skip:
    """A selected row the action leaves alone without calling the service (e.g. already resolved).
    Rows skipped for the same reason are reported in one message: ``reason`` may use ``{count}``."""

    reason: str
    level: int = messages.WARNING


def bulk_service_action(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    run: Callable[[Any, ServiceCall], object],
    verb: str,
    label: Callable[[Any], str] = str,
    done_label: Callable[[Any, Any], str] | None = None,
    skip: Callable[[Any], Skip | None] | None = None,
    form_class: type[forms.Form] | None = None,
    title: str = "",
    intro: str = "",
) -> HttpResponse | None:
    """A changelist action calling ``run`` (one service call) for each selected row, as the acting
    user at one moment. With ``form_class`` it first shows an intermediate page (the selected
    rows and the form, e.g. a reason); posted back with ``apply``, the rows are done with the
    form's data. Reported as "<verb>: N (rows)." (each row by ``label``, or ``done_label(row, what the
    service returned)``); refusals as "Not changed: row: why"; ``skip`` leaves rows alone."""
    actor, now = acting_user(request), timezone.now()
    data: Mapping[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST if "apply" in request.POST else None)
        if not (form.is_bound and form.is_valid()):
            page = {
                **model_admin.admin_site.each_context(request),
                "opts": model_admin.model._meta,
                "title": title,
                "intro": intro,
                "form": form,
                "objects": [(obj.pk, label(obj)) for obj in queryset],
                "action": request.POST.get("action", ""),
                "submit_label": verb,
                "media": model_admin.media + form.media,
            }
            return TemplateResponse(request, BULK_ACTION_TEMPLATE, page, status=400 if form.is_bound else 200)
        data = form.cleaned_data
    call = ServiceCall(data=data, actor=actor, now=now)
    done: list[str] = []
    refused: list[str] = []
    skipped: dict[Skip, list[str]] = {}
    for obj in queryset:
        reason = skip(obj) if skip is not None else None
        if reason is not None:
            skipped.setdefault(reason, []).append(label(obj))
            continue
        try:
            result = run(obj, call)
        except DomainError as error:
            refused.append(f"{label(obj)}: {error.message}")
        else:
            done.append(done_label(obj, result) if done_label is not None else label(obj))
    if done:
        model_admin.message_user(request, f"{verb}: {len(done)} ({'; '.join(done)}).", messages.SUCCESS)
    for reason, rows in skipped.items():
        model_admin.message_user(request, f"{reason.reason.format(count=len(rows))}: {'; '.join(rows)}.", reason.level)
    if refused:
        model_admin.message_user(request, f"Not changed: {'; '.join(refused)}", messages.ERROR)
    return None
