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
    ticket_receipt_reissue,
    ticket_receipt_resend,
    ticket_receipt_verify,
    ticket_refund,
    ticket_refund_send,
)
from helpdesk.services.tickets import ticket_open, ticket_resolve
from marketplace.models import Invoice, Payment, ReceiptDelivery, Refund, RefundGrant
from marketplace.selectors.orders import order_status_answer_text
from notifications.models import Notification
from tests.marketplace.factories import ShipmentFactory, TrackingEventFactory
from tests.marketplace.factories_billing import PaymentFactory, ReceiptFactory


def _ticket(desk: dict[str, Any], category: str, **records: Any) -> Ticket:
    return ticket_open(
        customer=desk["alice"], category=category, subject="Help", body="Please.", now=timezone.now(), **records
    )


def test_the_order_status_answer_is_marketplaces_own_text(desk) -> None:
    order = desk["order"]
    shipment = ShipmentFactory(order=order, carrier="DHL", tracking_number="TRK1")
    TrackingEventFactory(
        shipment=shipment,
        occurred_at=datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
        description="Departed facility",
        location="Johannesburg",
    )
    ticket = _ticket(desk, "order_status", order=order)
    now = timezone.now()
    entry = ticket_order_status_answer(ticket=ticket, actor=desk["support"], now=now)
    assert entry.body == order_status_answer_text(order=order, now=now)
    assert "It travels with DHL, tracking number TRK1." in entry.body
    assert "Departed facility" in entry.body and "Johannesburg" in entry.body
    assert (entry.direction, entry.is_internal) == ("outbound", False)
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_the_console_previews_the_answer_it_sends(desk) -> None:
    ShipmentFactory(order=desk["order"], carrier="DHL", tracking_number="TRK9")
    ticket = _ticket(desk, "order_status", order=desk["order"])
    client = Client()
    client.force_login(desk["support"])
    url = reverse("admin:helpdesk_ticket_order_status", args=[ticket.pk])
    preview = dict(client.get(url).context["details"])["Answer"]
    assert preview == order_status_answer_text(order=desk["order"], now=timezone.now())
    assert client.post(url, {}).status_code == 302
    assert Interaction.objects.get(ticket=ticket, kind="message", direction="outbound").body == preview


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


def _duplicate(desk: dict[str, Any]) -> tuple[Ticket, Payment]:
    """Alice was charged twice for her order (47.98 due): the second payment is the ticket's."""
    duplicate = PaymentFactory(order=desk["order"])
    return _ticket(desk, "payment", subcategory="duplicate_charge", payment=duplicate), duplicate


def test_a_duplicate_charge_refunds_exactly_the_difference(desk, settings) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("100.00")
    ticket, duplicate = _duplicate(desk)
    with pytest.raises(InvalidInput) as refused:  # the agent's expected amount is checked, not refunded
        ticket_refund(ticket=ticket, actor=desk["finance"], amount=Decimal("50.00"), reason="dup", now=timezone.now())
    assert refused.value.field == "amount"
    assert not Refund.objects.exists() and not Interaction.objects.filter(action__startswith="refund").exists()

    outcome = ticket_refund(ticket=ticket, actor=desk["finance"], reason="Charged twice", now=timezone.now())

    assert outcome.amount == Decimal("47.98") and outcome.grant is None
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount) == (duplicate.pk, Decimal("47.98"))
    duplicate.refresh_from_db()
    assert duplicate.refunded_amount == Decimal("47.98")
    entry = Interaction.objects.get(ticket=ticket, action="refund_issued")
    assert entry.body == "Refund of 47.98 USD issued: usually on your statement in 3 to 5 working days."
    assert not entry.is_internal
    with pytest.raises(StateConflict):  # nothing left over-paid: a second click refunds nothing
        ticket_refund(ticket=ticket, actor=desk["finance"], reason="again", now=timezone.now())
    assert Refund.objects.count() == 1


def test_an_overcharge_refunds_what_the_corrected_invoice_no_longer_owes(desk, settings) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("100.00")
    ticket = _ticket(desk, "payment", subcategory="overcharge", payment=desk["payment"])
    ticket_invoice_reissue(
        ticket=_ticket(desk, "invoice", invoice=desk["invoice"]),
        actor=desk["finance"],
        reason="Discount left off",
        discount=Decimal("7.50"),
        now=timezone.now(),
    )
    outcome = ticket_refund(ticket=ticket, actor=desk["finance"], reason="Discount", now=timezone.now())
    assert outcome.refund is not None and outcome.refund.amount == Decimal("7.50")


def test_above_the_threshold_support_grants_and_another_finance_user_sends(desk, settings) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("10.00")
    ticket, duplicate = _duplicate(desk)

    outcome = ticket_refund(ticket=ticket, actor=desk["support"], reason="Charged twice", now=timezone.now())

    assert outcome.refund is None and outcome.grant is not None
    assert outcome.grant.amount == Decimal("47.98") and not Refund.objects.exists()
    granted = Interaction.objects.get(ticket=ticket, action="refund_granted")
    assert "granted, waiting for finance" in granted.body and granted.data["grant"] == outcome.grant.pk
    with pytest.raises(Forbidden):  # support grants; it does not send
        ticket_refund_send(ticket=ticket, actor=desk["support"], now=timezone.now())

    refund = ticket_refund_send(ticket=ticket, actor=desk["finance"], now=timezone.now())

    assert (refund.payment_id, refund.amount, refund.created_by) == (duplicate.pk, Decimal("47.98"), desk["finance"])
    assert RefundGrant.objects.get().status == "sent"
    sent = Interaction.objects.get(ticket=ticket, action="refund_sent")
    assert not sent.is_internal and sent.body.startswith("Refund of 47.98 USD sent")
    told = Notification.objects.filter(recipient=desk["alice"], kind="refund_issued")
    assert told.count() == 1 and "47.98" in told.get().body
    with pytest.raises(StateConflict):  # nothing waits any more
        ticket_refund_send(ticket=ticket, actor=desk["finance"], now=timezone.now())


def test_whoever_granted_a_refund_may_not_send_it(desk, settings) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("10.00")
    ticket, _ = _duplicate(desk)
    outcome = ticket_refund(ticket=ticket, actor=desk["admin"], reason="Charged twice", now=timezone.now())
    assert outcome.grant is not None  # even who may send, above the threshold, only grants

    with pytest.raises(Forbidden) as refused:
        ticket_refund_send(ticket=ticket, actor=desk["admin"], now=timezone.now())

    assert refused.value.code == "four_eyes"
    assert not Refund.objects.exists() and RefundGrant.objects.get().status == "granted"
    assert not Interaction.objects.filter(ticket=ticket, action="refund_sent").exists()


def test_the_receipt_is_verified_and_reissued_from_the_ticket(desk) -> None:
    receipt = ReceiptFactory(payment=desk["payment"], amount=Decimal("40.00"))
    ticket = _ticket(desk, "receipt", subcategory="receipt_incorrect", payment=desk["payment"])

    check = ticket_receipt_verify(ticket=ticket, actor=desk["support"], now=timezone.now())

    assert not check.is_correct and "The receipt says 40.00, the payment took 47.98." in check.problems
    verified = Interaction.objects.get(ticket=ticket, action="receipt_verified")
    assert verified.is_internal and "The receipt says 40.00" in verified.body

    new = ticket_receipt_reissue(ticket=ticket, actor=desk["support"], reason="Wrong amount", now=timezone.now())

    assert (new.pk, new.amount, new.email) == (receipt.pk, Decimal("47.98"), "alice@example.com")
    assert new.number != receipt.number
    entry = Interaction.objects.get(ticket=ticket, action="receipt_reissued")
    assert not entry.is_internal and f"reissued as {new.number}" in entry.body
    assert ReceiptDelivery.objects.filter(receipt=receipt, email="alice@example.com").count() == 1


def test_record_actions_on_a_resolved_ticket_or_without_the_record_are_conflicts(desk) -> None:
    ticket = _ticket(desk, "other")
    with pytest.raises(StateConflict):
        ticket_refund(ticket=ticket, actor=desk["finance"], reason="x", now=timezone.now())
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Done", now=timezone.now())
    with pytest.raises(StateConflict):
        ticket_order_status_answer(ticket=ticket, actor=desk["support"], now=timezone.now())


def test_the_console_refund_page_refuses_an_amount_that_is_not_the_difference(desk, settings) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("100.00")
    ticket, _ = _duplicate(desk)
    client = Client()
    client.force_login(desk["finance"])
    url = reverse("admin:helpdesk_ticket_refund", args=[ticket.pk])
    assert client.get(url).context["form"]["kind"].value() == "duplicate_charge"
    response = client.post(url, {"kind": "duplicate_charge", "amount": "5.00", "reason": "Twice"})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert client.post(url, {"kind": "duplicate_charge", "amount": "47.98", "reason": "Twice"}).status_code == 302
    assert Refund.objects.get().amount == Decimal("47.98")


def test_the_console_grant_is_sent_by_finance_from_the_ticket(desk, settings) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("10.00")
    ticket, _ = _duplicate(desk)
    support, finance = Client(), Client()
    support.force_login(desk["support"])
    finance.force_login(desk["finance"])
    refund_url = reverse("admin:helpdesk_ticket_refund", args=[ticket.pk])
    assert support.post(refund_url, {"kind": "duplicate_charge", "reason": "Twice"}).status_code == 302
    grant = RefundGrant.objects.get()
    send_url = reverse("admin:helpdesk_ticket_send_refund", args=[ticket.pk])
    refused = support.post(send_url, {"grant": grant.pk})  # support granted it: finance sends
    assert refused.context["form"].non_field_errors() == ["You may not send refunds."]
    assert finance.post(send_url, {"grant": grant.pk}).status_code == 302
    assert Refund.objects.get().amount == Decimal("47.98")
    assert Interaction.objects.filter(ticket=ticket, action="refund_sent").count() == 1
