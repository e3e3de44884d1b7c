"""Notification kinds: each app registers its own (``<app>/notices.py``); notifications lists
none, validates every kind it writes and labels them in the console and the API."""

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from inquiries.notices import Kind as InquiryKind
from marketplace.notices import Kind as MarketplaceKind
from notifications.models import (
    KIND_GROUPS,
    Notification,
    kind_choices,
    notification_kind,
    notification_kinds,
    register_kinds,
)
from notifications.services.bulk import Draft, notify_many
from notifications.services.notify import notify
from reviews.notices import Kind as ReviewKind
from tests.accounts.factories import AdminFactory, BuyerFactory

pytestmark = pytest.mark.django_db


def test_every_apps_kinds_are_registered_in_a_group() -> None:
    registered = {kind.value: kind.group for kind in notification_kinds()}
    for app_kinds in (MarketplaceKind, InquiryKind, ReviewKind):
        assert set(app_kinds.values) <= set(registered)
    assert set(registered.values()) <= set(KIND_GROUPS)
    assert registered["invoice_issued"] == "orders"
    assert registered["inquiry_received"] == "messages"
    assert registered["seller_standing"] == "standing"
    assert registered["low_rating_review"] == "reviews"
    assert registered["survey_invitation"] == "surveys"  # feedback's (``feedback.notices``)


def test_a_kind_nobody_registered_is_refused_and_nothing_is_written() -> None:
    buyer = BuyerFactory()
    with pytest.raises(ValueError, match="not a registered notification kind"):
        notify(recipients=[buyer], kind="no_such_kind", title="How did we do?")
    with pytest.raises(ValueError, match="not a registered notification kind"):
        notify_many(drafts=[Draft(recipient=buyer, kind="nonsense", title="x")])
    assert not Notification.objects.exists()


def test_registering_a_kind_again_differently_is_an_error() -> None:
    class Clash(models.TextChoices):
        INVOICE_ISSUED = "invoice_issued", "Something else"

    class Stray(models.TextChoices):
        ODD = "odd_kind", "Odd"

    register_kinds(MarketplaceKind, group="orders")  # the same again: harmless
    with pytest.raises(ValueError, match="registered twice"):
        register_kinds(Clash, group="orders")
    with pytest.raises(ValueError, match="unknown group"):
        register_kinds(Stray, group="gossip")
    with pytest.raises(ValueError):
        notification_kind("odd_kind")


def test_the_console_and_the_pages_show_the_registered_label() -> None:
    buyer = BuyerFactory()
    notify(recipients=[buyer], kind=MarketplaceKind.REFUND_ISSUED, title="Refund of 5.00", send_email=False)
    client = Client()
    client.force_login(AdminFactory())
    changelist = client.get(reverse("admin:notifications_notification_changelist"), {"kind": "refund_issued"})
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 1
    assert "Refund issued" in changelist.content.decode()
    client.force_login(buyer)
    assert "Refund issued" in client.get(reverse("notifications:list")).content.decode()


def test_the_api_filters_by_kind_and_documents_the_registered_ones(client_for) -> None:  # type: ignore[no-untyped-def]
    buyer = BuyerFactory()
    notify(recipients=[buyer], kind=MarketplaceKind.REFUND_ISSUED, title="Refund", send_email=False)
    notify(recipients=[buyer], kind=ReviewKind.REVIEW_RESPONSE, title="Response", send_email=False)
    response = client_for(buyer).get("/api/v1/notifications/", {"kind": "review_response"})
    assert [row["kind"] for row in response.json()["results"]] == ["review_response"]
    assert client_for(buyer).get("/api/v1/notifications/", {"kind": "no_such_kind"}).status_code == 400
    assert ("review_response", "Response to your review") in kind_choices()
