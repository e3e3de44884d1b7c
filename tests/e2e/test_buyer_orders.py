"""The buyer's own order pages in a real browser: a delayed order is announced before the buyer
asks (the sweep's notice), the order page says where it is and why a payment failed, and "Resend
to me" sends the receipt. Screenshots in ``tests/e2e/screenshots/``."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from marketplace.models import ReceiptDelivery
from marketplace.services.billing import payment_record
from marketplace.services.delays import orders_delayed_sweep
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.e2e.test_inquiries_flow import log_in, shoot
from tests.marketplace.factories import OrderFactory, ShipmentFactory, TrackingEventFactory
from tests.marketplace.factories_billing import PaymentFactory, ReceiptFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]


def test_a_delayed_order_is_announced_and_explained_before_the_buyer_asks(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    now = timezone.now()
    buyer = BuyerFactory(username="bella", first_name="Bella")
    shipment = ShipmentFactory(
        order__buyer=buyer,
        carrier="Aramex",
        tracking_number="ARX-1001",
        expected_delivery=(now - timedelta(days=2)).date(),
        shipped_at=now - timedelta(days=4),
    )
    TrackingEventFactory(shipment=shipment, occurred_at=now - timedelta(days=1), location="Durban")
    order = shipment.order
    ReceiptFactory(payment=PaymentFactory(order=order))
    unpaid = OrderFactory(buyer=buyer)
    payment_record(
        order=unpaid,
        amount=Decimal("47.98"),
        method="card",
        status="failed",
        failure_reason="card_declined",
        actor=UserFactory(role="finance"),
        now=now,
    )
    orders_delayed_sweep(now=now)
    base = live_server.url

    log_in(page, base, "bella")
    page.goto(f"{base}/notifications/")
    expect(page.get_by_role("link", name=f"Your order {order.number} is delayed")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", name="Your orders", level=1)).to_be_visible()
    expect(page.get_by_text("ARX-1001")).to_be_visible()
    expect(page.locator(".pill-danger", has_text="Late")).to_be_visible()
    shoot(page, request, "1-orders")

    page.get_by_role("link", name=order.number, exact=True).click()
    expect(page.get_by_role("status").filter(has_text="This order is delayed.")).to_be_visible()
    expect(page.get_by_text("It travels with Aramex, tracking number ARX-1001.")).to_be_visible()
    page.get_by_role("button", name="Resend to me").click()
    expect(page.get_by_text("sent again to")).to_be_visible()
    assert ReceiptDelivery.objects.filter(email=buyer.email, is_resend=True).count() == 1
    expect(page.get_by_role("link", name="Get help with this order", exact=True)).to_have_attribute(
        "href", f"/support/new/?order={order.pk}"
    )
    shoot(page, request, "2-order")

    page.goto(f"{base}/orders/{unpaid.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("declined by the card issuer")
    expect(page.get_by_role("alert")).to_contain_text("Try another card")
    shoot(page, request, "3-failed-payment")
