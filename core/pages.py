"""Helpers the apps' server-rendered pages share: the store a seller member works on, the status
of a page that re-shows a refused form, and a seller's own template library (the inquiries'
quick replies, the reviews' response templates: the same pages over different services)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from accounts.models import User
from core.exceptions import DomainError, StateConflict
from marketplace.models import Seller
from marketplace.selectors.scoping import member_seller_ids


def error_status(error: DomainError) -> int:
    """A page re-showing a form the service refused: 409 for a state conflict, else 400."""
    return 409 if isinstance(error, StateConflict) else 400


def attach_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal next to the field it is about, or above the form."""
    field: Any = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def member_sellers(user: User) -> list[Seller]:
    return list(Seller.objects.filter(pk__in=member_seller_ids(user)).order_by("name", "id"))


def chosen_seller(request: HttpRequest, user: User) -> tuple[Seller, list[Seller]]:
    """The store a member works on: ``?seller=`` among theirs, else the first. Not a member: 404."""
    sellers = member_sellers(user)
    if not sellers:
        raise Http404("No seller dashboard for this account")
    wanted = request.GET.get("seller") or request.POST.get("seller")
    if not wanted:
        return sellers[0], sellers
    for seller in sellers:
        if str(seller.pk) == wanted:
            return seller, sellers
    raise Http404("Not one of your stores")


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
    own: Callable[[User, int], Any]
    create: Callable[..., object]
    update: Callable[..., object]
    initial: Callable[[Any], dict[str, Any]]

    def url(self, seller: Seller, sellers: list[Seller]) -> str:
        url = reverse(self.url_name)
        return f"{url}?seller={seller.pk}" if len(sellers) > 1 else url

    def page(
        self,
        request: HttpRequest,
        seller: Seller,
        sellers: list[Seller],
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
        user = cast(User, request.user)  # login_required: never anonymous here
        seller, sellers = chosen_seller(request, user)
        if request.method == "GET":
            return self.page(request, seller, sellers)
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

    def get_own(self, user: User, pk: int) -> Any:
        template = self.own(user, pk)
        if template is None:
            raise Http404(f"No such {self.noun.lower()}")
        return template

    def edit_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET: the form filled in; POST: the update, back to the library."""
        user = cast(User, request.user)  # login_required: never anonymous here
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
                    return HttpResponseRedirect(self.url(cast(Seller, template.seller), member_sellers(user)))
            else:
                status = 400
        else:
            form = self.form(initial=self.initial(template))
        return render(request, self.edit_template, {"template": template, "form": form}, status=status)
