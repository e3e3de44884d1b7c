"""Ticket actions on the real records: each calls the marketplace service, in one transaction
with the ticket's log entry; refused by the record's own rules (permission, amount), nothing
changes."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.exceptions import Forbidden, InvalidInput, StateConflict
from helpdesk.models import Interaction, Ticket
from helpdesk.services.records import (
    ticket_invoice_reissue,
    ticket_order_status_answer,
    ticket_receipt_resend,
    ticket_refund,
)
from helpdesk.services.tickets import ticket_open, ticket_resolve
from marketplace.models import Invoice, ReceiptDelivery, Refund
from tests.marketplace.factories import ShipmentFactory, TrackingEventFactory
from tests.marketplace.factories_billing import ReceiptFactory


def _ticket(desk: dict[str, Any], category: str, **records: Any) -> Ticket:
    return ticket_open(
        customer=desk["alice"], category=category, subject="Help", body="Please.", now=timezone.now(), **records
    )


def test_the_order_status_is_answered_from_the_order_and_its_tracking(desk) -> None:
    order = desk["order"]
    shipment = ShipmentFactory(order=order, carrier="DHL", tracking_number="TRK1")
    TrackingEventFactory(
        shipment=shipment,
        occurred_at=datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
        description="Departed facility",
        location="Johannesburg",
    )
    ticket = _ticket(desk, "order_status", order=order)
    entry = ticket_order_status_answer(ticket=ticket, actor=desk["support"], now=timezone.now())
    assert entry.body == (
        "Your order SP-2026-000123 is pending. It travels with DHL, tracking number TRK1. "
        "Latest update, 01 Dec 2026 08:30 UTC: Departed facility (Johannesburg)."
    )
    assert (entry.direction, entry.is_internal) == ("outbound", False)
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_finance_reissues_the_invoice_from_the_ticket(desk) -> None:
    ticket = _ticket(desk, "invoice", invoice=desk["invoice"])
    new = ticket_invoice_reissue(
        ticket=ticket, actor=desk["finance"], reason="VAT was doubled", tax=Decimal("1.50"), now=timezone.now()
    )
    assert (new.version, new.supersedes_id, new.tax) == (2, desk["invoice"].pk, Decimal("1.50"))
    assert Invoice.objects.get(pk=desk["invoice"].pk).status == "superseded"
    entry = Interaction.objects.get(ticket=ticket, action="invoice_reissued")
    assert not entry.is_internal and entry.data == {"invoice": new.pk, "supersedes": desk["invoice"].pk}


def test_support_may_not_reissue_invoices_and_nothing_changes(desk) -> None:
    ticket = _ticket(desk, "invoice", invoice=desk["invoice"])
    with pytest.raises(Forbidden):
        ticket_invoice_reissue(ticket=ticket, actor=desk["support"], reason="x", now=timezone.now())
    assert Invoice.objects.count() == 1
    assert not Interaction.objects.filter(action="invoice_reissued").exists()


def test_the_receipt_is_resent_and_logged(desk) -> None:
    ReceiptFactory(payment=desk["payment"])
    ticket = _ticket(desk, "receipt", subcategory="receipt_missing", payment=desk["payment"])
    delivery = ticket_receipt_resend(ticket=ticket, actor=desk["support"], now=timezone.now())
    assert (delivery.email, delivery.is_resend) == ("alice@example.com", True)
    entry = Interaction.objects.get(ticket=ticket, action="receipt_resent")
    assert entry.body.endswith("sent again to alice@example.com.")


def test_a_refund_above_what_was_captured_is_refused_and_nothing_is_logged(desk) -> None:
    ticket = _ticket(desk, "payment", subcategory="duplicate_charge", payment=desk["payment"])
    with pytest.raises(InvalidInput):
        ticket_refund(ticket=ticket, actor=desk["finance"], amount=Decimal("1000.00"), reason="dup", now=timezone.now())
    assert not Refund.objects.exists()
    refund = ticket_refund(
        ticket=ticket, actor=desk["finance"], amount=Decimal("10.00"), reason="dup", now=timezone.now()
    )
    assert refund.amount == Decimal("10.00")
    assert Interaction.objects.filter(ticket=ticket, action="refund_issued").count() == 1


def test_record_actions_on_a_resolved_ticket_or_without_the_record_are_conflicts(desk) -> None:
    ticket = _ticket(desk, "other")
    with pytest.raises(StateConflict):
        ticket_refund(ticket=ticket, actor=desk["finance"], amount=Decimal("1"), reason="x", now=timezone.now())
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Done", now=timezone.now())
    with pytest.raises(StateConflict):
        ticket_order_status_answer(ticket=ticket, actor=desk["support"], now=timezone.now())


def test_the_console_refund_page_shows_the_refusal_on_its_field(desk) -> None:
    ticket = _ticket(desk, "payment", subcategory="overcharge", payment=desk["payment"])
    client = Client()
    client.force_login(desk["finance"])
    url = reverse("admin:helpdesk_ticket_refund", args=[ticket.pk])
    response = client.post(url, {"amount": "999.00", "reason": "Overcharge"})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert client.post(url, {"amount": "5.00", "reason": "Overcharge"}).status_code == 302
    assert ReceiptDelivery.objects.count() == 0
    assert Refund.objects.get().amount == Decimal("5.00")
