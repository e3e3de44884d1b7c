"""The billing services called directly (as the console and the help desk do): the same rules."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.exceptions import Forbidden, InvalidInput, StateConflict
from marketplace.models import Invoice, Payment, Refund
from marketplace.services.billing import (
    InvoiceLineData,
    invoice_issue,
    invoice_reissue,
    order_paid_amount,
    payment_record,
    receipt_resend,
    refund_issue,
)
from tests.marketplace.factories import OrderFactory, SellerMemberFactory
from tests.marketplace.factories_billing import InvoiceFactory, PaymentFactory, ReceiptFactory

pytestmark = pytest.mark.django_db


def test_a_member_of_another_seller_may_not_issue_the_invoice():
    order = OrderFactory()
    with pytest.raises(Forbidden):
        invoice_issue(order=order, actor=SellerMemberFactory(), now=timezone.now())
    assert not Invoice.objects.exists()


def test_services_refuse_actors_without_the_permission(staff_user):
    payment = PaymentFactory()
    with pytest.raises(Forbidden):
        refund_issue(payment=payment, amount=Decimal("1.00"), reason="x", actor=staff_user, now=timezone.now())
    with pytest.raises(Forbidden):
        invoice_reissue(invoice=InvoiceFactory(), actor=staff_user, reason="x", now=timezone.now())
    with pytest.raises(Forbidden):
        payment_record(
            order=OrderFactory(),
            amount=Decimal("1.00"),
            method="card",
            status="pending",
            actor=staff_user,
            now=timezone.now(),
        )
    assert not Refund.objects.exists()


def test_reissue_totals_are_exact_decimal_sums(finance_user):
    invoice = InvoiceFactory()
    new = invoice_reissue(
        invoice=invoice,
        actor=finance_user,
        reason="Unit prices corrected",
        now=timezone.now(),
        lines=[
            InvoiceLineData(description="A", quantity=3, unit_price=Decimal("0.35")),
            InvoiceLineData(description="B", quantity=7, unit_price=Decimal("1.15")),
        ],
        shipping_fee=Decimal("0.00"),
        tax=Decimal("0.10"),
    )
    assert [line.line_total for line in new.lines.order_by("id")] == [Decimal("1.05"), Decimal("8.05")]
    assert (new.subtotal, new.total) == (Decimal("9.10"), Decimal("9.20"))
    assert (new.number, new.version, new.supersedes_id) == (invoice.number, 2, invoice.pk)


def test_reissue_refuses_amounts_with_more_than_two_places_from_code(finance_user):
    invoice = InvoiceFactory()
    with pytest.raises(InvalidInput) as error:
        invoice_reissue(invoice=invoice, actor=finance_user, reason="x", now=timezone.now(), tax=Decimal("0.001"))
    assert error.value.field == "tax"


def test_the_currency_defaults_to_the_orders_and_paid_amount_counts_net_of_refunds(finance_user):
    order = OrderFactory(currency="EUR")
    payment = payment_record(
        order=order, amount=Decimal("40.00"), method="wallet", status="captured", actor=finance_user, now=timezone.now()
    )
    assert payment.currency == "EUR"
    refund_issue(payment=payment, amount=Decimal("15.25"), reason="x", actor=finance_user, now=timezone.now())
    assert order_paid_amount(order_id=order.pk) == Decimal("24.75")
    with pytest.raises(InvalidInput):
        payment_record(
            order=order,
            amount=Decimal("23.24"),
            method="card",
            status="pending",
            actor=finance_user,
            now=timezone.now(),
        )
    assert Payment.objects.filter(order=order).count() == 1


def test_capturing_two_authorized_payments_cannot_exceed_the_order_total(finance_user):
    from marketplace.services.billing import payment_capture

    order = OrderFactory()  # 47.98
    first = payment_record(
        order=order, amount=Decimal("47.98"), method="card", status="authorized", actor=finance_user, now=timezone.now()
    )
    second = payment_record(
        order=order, amount=Decimal("47.98"), method="card", status="authorized", actor=finance_user, now=timezone.now()
    )
    payment_capture(payment=first, actor=finance_user, now=timezone.now())
    with pytest.raises(StateConflict):
        payment_capture(payment=second, actor=finance_user, now=timezone.now())
    second.refresh_from_db()
    assert (second.status, second.captured_amount) == ("authorized", Decimal("0.00"))


def test_staff_resend_to_an_invalid_address_is_refused(staff_user):
    with pytest.raises(InvalidInput):
        receipt_resend(receipt=ReceiptFactory(), actor=staff_user, email="nope", now=timezone.now())
