"""The console's one service-form page and one bulk action (``core.console``), on a model admin
that is not registered anywhere: what every app's console pages inherit."""

from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.test import RequestFactory

from accounts.models import Role, User
from core.console import QueryFilter, ServiceCall, Skip, action_object, bulk_service_action, posted, service_form_view
from core.exceptions import InvalidInput, NotFound, StateConflict
from marketplace.models import Seller
from tests.accounts.factories import AdminFactory, UserFactory
from tests.marketplace.factories import SellerFactory

pytestmark = pytest.mark.django_db


class NoteForm(forms.Form):
    note = forms.CharField(max_length=20)


class SellerConsole(admin.ModelAdmin):
    """Stands for any app's admin: the seller list of a private admin site."""


SITE = admin.AdminSite(name="console-test")
CONSOLE = SellerConsole(Seller, SITE)


def _request(user: User, data: dict[str, Any] | None = None) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/console/", data) if data is not None else factory.get("/console/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _texts(request: HttpRequest) -> list[str]:
    return [str(message) for message in get_messages(request)]


def _page(request: HttpRequest, seller: Seller, run: Any, **options: Any) -> Any:
    response = service_form_view(
        CONSOLE,
        request,
        obj=seller,
        form=NoteForm(posted(request)),
        title="Note",
        intro="Add a note",
        submit_label="Save",
        run=run,
        success_message="Noted.",
        **options,
    )
    return response.render() if hasattr(response, "render") else response


def test_a_valid_post_calls_the_service_once_as_the_acting_user_and_goes_back_to_the_record() -> None:
    user, seller = AdminFactory(), SellerFactory()
    calls: list[ServiceCall] = []
    request = _request(user, {"note": "  checked "})

    response = _page(request, seller, calls.append)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/marketplace/seller/{seller.pk}/change/"
    assert len(calls) == 1
    assert (calls[0].data, calls[0].actor) == ({"note": "checked"}, user)
    assert calls[0].now.tzinfo is not None
    assert _texts(request) == ["Noted."]


def test_open_result_goes_to_the_record_the_service_returned() -> None:
    seller, other = SellerFactory(), SellerFactory()
    response = _page(_request(AdminFactory(), {"note": "x"}), seller, lambda call: other, open_result=True)
    assert response["Location"] == f"/admin/marketplace/seller/{other.pk}/change/"


def test_bad_input_is_a_400_with_the_field_at_fault_and_no_service_call() -> None:
    calls: list[ServiceCall] = []
    response = _page(_request(AdminFactory(), {"note": "x" * 21}), SellerFactory(), calls.append)
    assert response.status_code == 400
    assert list(response.context_data["form"].errors) == ["note"]
    assert calls == []


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("Too late for a note.", field="note"), 400),
        (StateConflict("The store is closed."), 409),
        (NotFound("Gone."), 400),  # any other refusal is bad input on this form
    ],
)
def test_a_refusal_is_shown_on_the_form_with_400_or_409(error: Exception, status: int) -> None:
    def refuse(call: ServiceCall) -> None:
        raise error

    request = _request(AdminFactory(), {"note": "x"})
    response = _page(request, SellerFactory(), refuse, refused_message="Not saved")

    assert response.status_code == status
    form = response.context_data["form"]
    field = "note" if isinstance(error, InvalidInput) else "__all__"
    assert form.errors[field] == [str(error)]
    assert _texts(request) == [f"Not saved: {error}"]


def test_the_record_is_404_for_who_may_not_see_it_before_403_for_who_may_not_act() -> None:
    seller = SellerFactory()
    staff_without_permissions = UserFactory(role=Role.BUYER, is_staff=True)
    admin_user = AdminFactory()

    with pytest.raises(Http404):
        action_object(CONSOLE, _request(staff_without_permissions), str(seller.pk), may_act=lambda request: False)
    with pytest.raises(Http404):
        action_object(CONSOLE, _request(admin_user), "999999", may_act=lambda request: True)
    with pytest.raises(PermissionDenied):
        action_object(CONSOLE, _request(admin_user), str(seller.pk), may_act=lambda request: False)
    assert action_object(CONSOLE, _request(admin_user), str(seller.pk), may_act=lambda request: True) == seller


def test_a_bulk_action_calls_the_service_per_row_and_reports_refusals_and_skips_row_by_row() -> None:
    user = AdminFactory()
    for name in ("Alder", "Birch", "Cedar", "Dogwood"):
        SellerFactory(name=name)
    actors = set()

    def run(seller: Seller, call: ServiceCall) -> None:
        actors.add(call.actor)
        if seller.name == "Birch":
            raise StateConflict("closed for the season")

    request = _request(user, {})
    result = bulk_service_action(
        CONSOLE,
        request,
        Seller.objects.order_by("name"),
        run=run,
        verb="Checked",
        label=lambda seller: seller.name,
        skip=lambda seller: Skip("Skipped {count} inactive") if seller.name == "Dogwood" else None,
    )

    assert result is None
    assert actors == {user}
    assert _texts(request) == [
        "Checked: 2 (Alder; Cedar).",
        "Skipped 1 inactive: Dogwood.",
        "Not changed: Birch: closed for the season",
    ]


def test_a_bulk_action_with_a_form_asks_first_then_applies_the_input_to_every_row() -> None:
    SellerFactory(name="Alder")
    SellerFactory(name="Birch")
    notes: list[str] = []

    def bulk(data: dict[str, Any]) -> Any:
        return bulk_service_action(
            CONSOLE,
            _request(AdminFactory(), data),
            Seller.objects.order_by("name"),
            run=lambda seller, call: notes.append(f"{seller.name}: {call.data['note']}"),
            verb="Noted",
            form_class=NoteForm,
            title="Note the stores",
        )

    asked = bulk({"action": "note"})
    assert asked.status_code == 200 and notes == []
    assert [label for _, label in asked.context_data["objects"]] == ["Alder", "Birch"]
    refused = bulk({"action": "note", "apply": "1", "note": ""})
    assert refused.status_code == 400 and notes == []
    assert bulk({"action": "note", "apply": "1", "note": "seen"}) is None
    assert notes == ["Alder: seen", "Birch: seen"]


class ActiveFilter(QueryFilter):
    title = "active"
    parameter_name = "active"
    conditions = {
        "yes": ("Active", Q(is_active=True)),
        "mine": ("Named after me", lambda request: Q(name=request.user.username)),
    }
    default = "yes"


def _filtered(user: User, chosen: str | None) -> list[str]:
    params = {"active": [chosen]} if chosen else {}
    list_filter = ActiveFilter(_request(user), params, Seller, CONSOLE)
    return sorted(list_filter.queryset(_request(user), Seller.objects.all()).values_list("name", flat=True))


def test_a_query_filter_applies_its_default_and_offers_all_explicitly() -> None:
    user = AdminFactory(username="cedar")
    SellerFactory(name="alder")
    SellerFactory(name="birch", is_active=False)
    SellerFactory(name="cedar")
    assert _filtered(user, None) == ["alder", "cedar"]  # the default: active ones
    assert _filtered(user, "all") == ["alder", "birch", "cedar"]
    assert _filtered(user, "mine") == ["cedar"]  # a condition of the request
    assert ActiveFilter(_request(user), {}, Seller, CONSOLE).lookup_choices == [
        ("yes", "Active"),
        ("mine", "Named after me"),
        ("all", "All"),
    ]
