"""Helpers the apps' server-rendered pages share: a live countdown to a due time, a query or form
value, and a seller's own template library (the inquiries' quick replies, the reviews' response
templates: the same pages over different services).

Nothing here knows a store: which store a member works on is the caller's chooser
(``marketplace.selectors``), handed in as ``OwnTemplates.choose_seller``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core.durations import duration_text
from core.exceptions import DomainError
from core.forms import attach_domain_error, error_status

# A countdown turns "due soon" in its last hour (the pages' amber; the console's "due within the hour").
DUE_SOON_SECONDS = 3600


@dataclass(frozen=True)
class Countdown:
    """What ``templates/core/_countdown.html`` shows; ``static/js/inquiries.js`` keeps it ticking."""

    due: datetime
    text: str
    is_overdue: bool
    is_due_soon: bool


def due_text(due: datetime, now: datetime) -> str:
    seconds = (due - now).total_seconds()
    return f"{duration_text(seconds)} left" if seconds >= 0 else f"Overdue by {duration_text(seconds)}"


def countdown(due: datetime | None, now: datetime) -> Countdown | None:
    if due is None:
        return None
    seconds = (due - now).total_seconds()
    return Countdown(
        due=due, text=due_text(due, now), is_overdue=seconds < 0, is_due_soon=0 <= seconds < DUE_SOON_SECONDS
    )


def requested(request: HttpRequest, name: str) -> str | None:
    """``name`` from the query string, else from the posted form (a page that posts back to itself
    keeps its choice either way)."""
    return request.GET.get(name) or request.POST.get(name) or None


# The store a member works on and all of theirs: ``choose_seller(user, wanted)`` (404 when the user
# is no member, or ``wanted`` is not one of theirs); ``sellers_of(user)``: all of the user's stores.
SellerChooser = Callable[[Any, str | None], tuple[Any, list[Any]]]


@dataclass(frozen=True)
class OwnTemplates:
    """A seller's own templates: the library page (the store's own and the shared ones, and a form
    to add one) and the edit page of one of their own. ``create(seller=, actor=, **cleaned)`` and
    ``update(template=, actor=, **cleaned)`` are the app's services; ``own(user, pk)`` finds one of
    the user's stores' own templates (None: 404, also for shared and other stores' ones)."""

    form: type[forms.Form]
    url_name: str
    page_template: str
    edit_template: str
    noun: str
    shared_key: str
    for_seller: Callable[[int], Iterable[Any]]
    own: Callable[[Any, int], Any]
    create: Callable[..., object]
    update: Callable[..., object]
    initial: Callable[[Any], dict[str, Any]]
    choose_seller: SellerChooser
    sellers_of: Callable[[Any], list[Any]]

    def url(self, seller: Any, sellers: list[Any]) -> str:
        url = reverse(self.url_name)
        return f"{url}?seller={seller.pk}" if len(sellers) > 1 else url

    def page(
        self,
        request: HttpRequest,
        seller: Any,
        sellers: list[Any],
        *,
        form: forms.Form | None = None,
        status: int = 200,
    ) -> HttpResponse:
        templates = list(self.for_seller(seller.pk))
        context = {
            "seller": seller,
            "sellers": sellers,
            "own_templates": [template for template in templates if template.seller_id == seller.pk],
            self.shared_key: [template for template in templates if template.seller_id is None],
            "form": form or self.form(),
        }
        return render(request, self.page_template, context, status=status)

    def library_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the library; POST: add a template to the chosen store."""
        user = request.user  # login_required: never anonymous here
        seller, sellers = self.choose_seller(user, requested(request, "seller"))
        if request.method == "GET":
            return self.page(request, seller, sellers)
        if "copy" in request.POST:
            return self._copy(request, seller, sellers)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(request, seller, sellers, form=form, status=400)
        try:
            self.create(seller=seller, actor=user, **form.cleaned_data)
        except DomainError as error:
            attach_domain_error(form, error)
            return self.page(request, seller, sellers, form=form, status=error_status(error))
        flash.success(request, f"{self.noun} “{form.cleaned_data['title']}” saved.")
        return HttpResponseRedirect(self.url(seller, sellers))

    def _copy(self, request: HttpRequest, seller: Any, sellers: list[Any]) -> HttpResponse:
        """POST ``copy=<id>``: a shared template becomes one of the store's own (the same fields, through
        the same form and create service as a new one), to change as the store likes."""
        wanted = str(request.POST.get("copy", ""))
        shared = next(
            (t for t in self.for_seller(seller.pk) if t.seller_id is None and str(t.pk) == wanted),
            None,
        )
        if shared is None:
            raise Http404(f"No such shared {self.noun.lower()}")
        form = self.form(self.initial(shared))
        if not form.is_valid():  # a shared template always fits the form; kept as a guard
            return self.page(request, seller, sellers, form=form, status=400)
        try:
            self.create(seller=seller, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            flash.error(request, error.message)
        else:
            flash.success(request, f"“{shared.title}” copied into your own: change it below under “Edit”.")
        return HttpResponseRedirect(self.url(seller, sellers))

    def get_own(self, user: Any, pk: int) -> Any:
        template = self.own(user, pk)
        if template is None:
            raise Http404(f"No such {self.noun.lower()}")
        return template

    def retire_view(
        self, request: HttpRequest, pk: int, *, retire: Callable[[Any, Any], object], done: str
    ) -> HttpResponse:
        """POST: take one of the user's own templates out of use (``retire(template, user)``: the
        app's delete or archive service), then back to the library with ``done`` (``{title}``)."""
        user = request.user  # login_required: never anonymous here
        template = self.get_own(user, pk)
        seller, title = template.seller, template.title  # get_own: never a shared one
        try:
            retire(template, user)
        except DomainError as error:
            flash.error(request, error.message)
        else:
            flash.success(request, done.format(title=title))
        return HttpResponseRedirect(self.url(seller, self.sellers_of(user)))

    def edit_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET: the form filled in; POST: the update, back to the library."""
        user = request.user  # login_required: never anonymous here
        template = self.get_own(user, pk)
        status = 200
        if request.method == "POST":
            form = self.form(request.POST)
            if form.is_valid():
                try:
                    self.update(template=template, actor=user, **form.cleaned_data)
                except DomainError as error:
                    attach_domain_error(form, error)
                    status = error_status(error)
                else:
                    flash.success(request, f"{self.noun} “{form.cleaned_data['title']}” updated.")
                    return HttpResponseRedirect(self.url(template.seller, self.sellers_of(user)))
            else:
                status = 400
        else:
            form = self.form(initial=self.initial(template))
        return render(request, self.edit_template, {"template": template, "form": form}, status=status)
