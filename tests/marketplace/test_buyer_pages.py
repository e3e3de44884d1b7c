"""The buyer's own order pages (/orders/): what they show, and that nobody else's order is there."""

from datetime import UTC as utc
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.models import ReceiptDelivery
from marketplace.selectors.buyer import add_working_days
from marketplace.services.billing import invoice_reissue, payment_record, receipt_reissue, refund_issue
from tests.accounts.factories import BuyerFactory
from tests.marketplace.factories import OrderFactory, SellerMemberFactory, ShipmentFactory, TrackingEventFactory
from tests.marketplace.factories_billing import InvoiceFactory, PaymentFactory, ReceiptFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_order_list_shows_the_buyers_orders_with_carrier_tracking_and_events_and_no_one_elses():
    buyer = BuyerFactory()
    shipment = ShipmentFactory(
        order__buyer=buyer, carrier="Aramex", tracking_number="ARX-778", expected_delivery=date(2030, 1, 9)
    )
    TrackingEventFactory(shipment=shipment, status="out_for_delivery", location="Pretoria", occurred_at=timezone.now())
    pending = OrderFactory(buyer=buyer)
    others = OrderFactory()

    html = logged_in(buyer).get(reverse("orders")).content.decode()

    assert shipment.order.number in html and pending.number in html
    assert others.number not in html
    assert "Aramex" in html and "ARX-778" in html and "9 Jan 2030" in html
    assert "Out for delivery, Pretoria" in html
    assert "Not shipped yet" in html
    assert f'href="/support/new/?order={shipment.order.pk}"' in html


def test_the_order_list_is_paged_in_a_fixed_number_of_queries(django_assert_num_queries, settings):
    settings.MARKETPLACE_BUYER_PAGE_SIZE = 5
    buyer = BuyerFactory()
    for _ in range(7):
        TrackingEventFactory(shipment=ShipmentFactory(order__buyer=buyer))
    client = logged_in(buyer)
    client.get(reverse("orders"))  # warm the session

    # session, user, count, orders, shipments, events; the header: store membership, unread count
    with django_assert_num_queries(8):
        first = client.get(reverse("orders")).content.decode()
    second = client.get(reverse("orders"), {"page": 2}).content.decode()

    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count('class="card order-card"') == 5 and second.count('class="card order-card"') == 2


@pytest.mark.parametrize("who", ["other_buyer", "seller_member", "support"])
def test_another_persons_order_page_is_not_found(who, staff_user):
    order = OrderFactory()
    user = {"other_buyer": BuyerFactory, "seller_member": lambda: SellerMemberFactory(seller=order.seller)}.get(
        who, lambda: staff_user
    )()
    client = logged_in(user)

    assert client.get(reverse("orders-detail-page", args=[order.pk])).status_code == 404
    receipt = ReceiptFactory(payment=PaymentFactory(order=order))
    resend = reverse("orders-receipt-resend-page", args=[receipt.pk])
    assert client.post(resend).status_code == 404
    assert not ReceiptDelivery.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get(reverse("orders"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_order_page_shows_every_invoice_version_with_what_changed_and_why(finance_user):
    invoice = InvoiceFactory()
    invoice_reissue(
        invoice=invoice,
        actor=finance_user,
        reason="The 10% loyalty discount was missing.",
        discount=Decimal("4.80"),
        now=timezone.now(),
    )

    html = logged_in(invoice.order.buyer).get(reverse("orders-detail-page", args=[invoice.order_id])).content.decode()

    assert f"Invoice {invoice.number}, version 2" in html and f"Invoice {invoice.number}, version 1" in html
    assert "Replaced by a later version" in html
    assert "The 10% loyalty discount was missing." in html
    assert "Discount: 0.00 → 4.80 USD" in html
    assert "Total: 47.98 → 43.18 USD" in html
    current = invoice.order.invoices.get(status="issued")
    assert f'href="/support/new/?invoice={current.pk}"' in html
    assert f'href="/support/new/?invoice={invoice.pk}"' in html
    assert f'href="/support/new/?order={invoice.order_id}"' in html


def test_a_refund_shows_when_it_usually_reaches_the_statement(finance_user):
    payment = PaymentFactory()
    ReceiptFactory(payment=payment)
    refund = refund_issue(
        payment=payment, amount=Decimal("12.50"), reason="Late", actor=finance_user, now=timezone.now()
    )
    issued = refund.created_at.date()

    html = logged_in(payment.order.buyer).get(reverse("orders-detail-page", args=[payment.order_id])).content.decode()

    first, last = add_working_days(issued, 3), add_working_days(issued, 5)
    assert f"Refund of 12.50 USD issued {issued.day} {issued:%b}" in html
    assert f"Usually on your statement in 3-5 working days ({first.day} {first:%b} - {last.day} {last:%b})" in html
    assert "Partially refunded" in html
    assert f'href="/support/new/?payment={payment.pk}"' in html


def test_working_days_skip_the_weekend():
    friday = date(2026, 12, 4)
    assert add_working_days(friday, 1) == date(2026, 12, 7)
    assert add_working_days(friday, 5) == date(2026, 12, 11)


def test_a_failed_payment_says_why_and_what_to_do_next_on_the_page_and_at_once_by_notice(finance_user):
    order = OrderFactory()
    payment_record(
        order=order,
        amount=Decimal("47.98"),
        method="card",
        status="failed",
        failure_reason="insufficient_funds",
        actor=finance_user,
        now=timezone.now(),
    )

    html = logged_in(order.buyer).get(reverse("orders-detail-page", args=[order.pk])).content.decode()
    assert "This payment did not go through: insufficient funds." in html
    assert "Top up the account or use another payment method, then pay again." in html
    notice = order.buyer.notifications.get(kind="payment_failed")
    assert notice.title == f"Your payment of 47.98 USD for order {order.number} failed"
    assert "What to do next: There were not enough funds." in notice.body


def test_resend_to_me_sends_the_receipt_to_the_buyers_own_address_and_logs_it(django_capture_on_commit_callbacks):
    receipt = ReceiptFactory()
    buyer = receipt.payment.order.buyer
    url = reverse("orders-receipt-resend-page", args=[receipt.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(buyer).post(url)

    assert response.status_code == 302
    delivery = ReceiptDelivery.objects.get()
    assert (delivery.email, delivery.is_resend, delivery.requested_by) == (buyer.email, True, buyer)
    assert mail.outbox[-1].to == [buyer.email]
    assert receipt.number in mail.outbox[-1].subject


def test_a_reissued_receipt_shows_what_it_replaces(staff_user):
    receipt = ReceiptFactory(number="RCT-OLD-1", amount=Decimal("40.00"))
    receipt_reissue(receipt=receipt, actor=staff_user, reason="The amount was wrong.", now=timezone.now())

    html = (
        logged_in(receipt.payment.order.buyer)
        .get(reverse("orders-detail-page", args=[receipt.payment.order_id]))
        .content.decode()
    )

    assert "replaces receipt RCT-OLD-1 (40.00 USD). The amount was wrong." in html


def test_a_late_order_page_answers_where_it_is_from_the_shipment_events():
    now = timezone.now()
    shipment = ShipmentFactory(expected_delivery=(now - timedelta(days=2)).date(), carrier="DHL", tracking_number="D1")
    TrackingEventFactory(
        shipment=shipment, status="in_transit", location="Durban", occurred_at=datetime(2026, 12, 1, 9, 30, tzinfo=utc)
    )

    html = logged_in(shipment.order.buyer).get(reverse("orders-detail-page", args=[shipment.order_id])).content.decode()

    assert "It travels with DHL, tracking number D1." in html
    assert "is late; we are following it up with the carrier." in html
    assert "Latest carrier update, 1 Dec 2026 09:30 UTC: in transit in Durban: Departed facility." in html
    item = shipment.order.items.get()
    assert f'<tr><td>{item.product_name}</td><td class="num">2</td><td class="num">19.99</td>' in html
    assert "In transit — Durban: Departed facility" in html


def _order_with_records(buyer, payments: int, finance_user) -> int:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(order__buyer=buyer)
    order = invoice.order
    for version in range(payments):
        invoice = invoice_reissue(invoice=invoice, actor=finance_user, reason=f"v{version}", now=timezone.now())
    shipment = ShipmentFactory(order=order)
    for _ in range(payments):
        TrackingEventFactory(shipment=shipment)
        payment = PaymentFactory(order=order, amount=Decimal("1.00"), captured_amount=Decimal("1.00"))
        ReceiptFactory(payment=payment)
        refund_issue(payment=payment, amount=Decimal("0.50"), reason="x", actor=finance_user, now=timezone.now())
    return order.pk


def test_the_order_page_costs_the_same_queries_for_one_or_many_records(django_assert_num_queries, finance_user):
    buyer = BuyerFactory()
    small = _order_with_records(buyer, 1, finance_user)
    large = _order_with_records(buyer, 6, finance_user)
    client = logged_in(buyer)
    client.get(reverse("orders-detail-page", args=[small]))  # warm the session

    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("orders-detail-page", args=[small])).status_code == 200
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get(reverse("orders-detail-page", args=[large])).content.decode()
    assert html.count("Resend to me<") == 6 and html.count("Refund of 0.50 USD issued") == 6
