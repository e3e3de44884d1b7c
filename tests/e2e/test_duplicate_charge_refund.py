"""A duplicate charge, end to end in a real browser: the buyer reports it from the payment on
their order page ("Get help with this"), support refunds the difference from the ticket page in
the console, which above ``MARKETPLACE_REFUND_APPROVAL_THRESHOLD`` only grants it; finance sends
the grant from the same ticket page (two people), support resolves the ticket, and the buyer
sees the refund on the order page and the resolution on their request.
Screenshots: ``tests/e2e/screenshots/test_a_duplicate_charge_is_refunded_by_support_and_finance-<step>.png``."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from helpdesk.models import Interaction, Ticket
from marketplace.models import Payment, Refund, RefundGrant
from tests.accounts.factories import PASSWORD, BuyerFactory, UserFactory
from tests.e2e.test_inquiries_flow import log_in, shoot
from tests.marketplace.factories import OrderFactory, SellerFactory
from tests.marketplace.factories_billing import PaymentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]


def console_log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()  # whoever used the browser before is gone
    page.goto(f"{base}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_be_visible()


def open_ticket_in_console(page: Page, base: str, ticket: Ticket) -> None:
    """Through the queue (all tickets), as staff would: the ticket's reference opens its page."""
    page.goto(f"{base}/admin/helpdesk/ticket/?queue=all")
    page.locator("#result_list").get_by_role("link", name=ticket.reference, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/helpdesk/ticket/{ticket.pk}/change/$"))


def test_a_duplicate_charge_is_refunded_by_support_and_finance(
    page: Page, live_server, settings, request: pytest.FixtureRequest
) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("10.00")  # the 47.98 refund needs two people
    buyer = BuyerFactory(username="bella", first_name="Bella", last_name="Buyer")
    order = OrderFactory(buyer=buyer, seller=SellerFactory(name="Acme Outfitters"))
    PaymentFactory(order=order, reference="PAY-FIRST-1")
    duplicate = PaymentFactory(order=order, reference="PAY-TWICE-2")  # taken a second time
    UserFactory(username="ada", first_name="Ada", last_name="Agent", role=Role.SUPPORT)
    UserFactory(username="fin", first_name="Fiona", last_name="Finance", role=Role.FINANCE)
    base = live_server.url
    total = f"{order.total} {order.currency}"

    # 1. The buyer reports it from the payment on the order page.
    log_in(page, base, "bella")
    page.goto(f"{base}/orders/{order.pk}/")
    expect(page.get_by_role("heading", name=re.compile(r"Payment PAY-TWICE-2"))).to_be_visible()
    page.get_by_role("link", name="Get help with this payment, PAY-TWICE-2").click()
    expect(page).to_have_url(re.compile(rf"/support/new/\?payment={duplicate.pk}$"))
    expect(page.get_by_label("What is it about?")).to_have_value("payment")
    expect(page.get_by_label("Payment", exact=True)).to_have_value(str(duplicate.pk))
    page.get_by_label("What exactly?").select_option(label="Duplicate charge")
    page.get_by_label("Subject").fill("I was charged twice")
    page.get_by_label("Tell us more").fill(f"My card shows two charges of {total} for order {order.number}.")
    shoot(page, request, "1-report", mobile_too=False)
    page.locator("main").get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"Thank you: your request HD-.+ is open\."))).to_be_visible()
    ticket = Ticket.objects.get(customer=buyer)
    assert (ticket.category, ticket.subcategory, ticket.payment_id) == ("payment", "duplicate_charge", duplicate.pk)
    expect(page).to_have_url(re.compile(rf"/support/{ticket.pk}/$"))

    # 2. Support refunds the difference from the ticket page: above the threshold it is only granted.
    console_log_in(page, base, "ada")
    open_ticket_in_console(page, base, ticket)
    expect(page.locator(".field-payment_link")).to_contain_text("PAY-TWICE-2")
    page.get_by_role("link", name="Refund the difference…").click()
    expect(page.get_by_label("What happened")).to_have_value("duplicate_charge")
    page.get_by_label("The difference you expect").fill(str(order.total))
    page.get_by_label("Reason").fill("Charged twice for the same order.")
    page.get_by_role("button", name="Refund the difference").click()
    expect(page.locator(".messagelist")).to_contain_text("refund issued, or granted for finance to send")
    expect(page.locator("#interactions-group")).to_contain_text(f"Refund of {total} granted, waiting for finance")
    shoot(page, request, "2-granted", mobile_too=False)
    grant = RefundGrant.objects.get(payment=duplicate)
    assert (grant.amount, grant.status, grant.granted_by.username) == (order.total, "granted", "ada")
    assert not Refund.objects.exists()

    # 3. Finance, someone else, sends the grant from the ticket page.
    console_log_in(page, base, "fin")
    open_ticket_in_console(page, base, ticket)
    page.get_by_role("link", name="Send granted refund…").click()
    expect(page.get_by_label("Granted refund")).to_contain_text(
        f"{order.total} — Duplicate charge: Charged twice for the same order. (granted by Ada Agent)"
    )
    page.get_by_role("button", name="Send refund").click()
    expect(page.locator(".messagelist")).to_contain_text("refund sent; the customer is told")
    expect(page.locator("#interactions-group")).to_contain_text(f"Refund of {total} sent")
    shoot(page, request, "3-sent", mobile_too=False)
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.created_by.username) == (duplicate.pk, order.total, "fin")
    assert Payment.objects.get(pk=duplicate.pk).refunded_amount == order.total

    # 4. Support resolves the ticket.
    console_log_in(page, base, "ada")
    open_ticket_in_console(page, base, ticket)
    page.get_by_role("link", name="Resolve…").click()
    page.get_by_label("Resolution").fill(f"We refunded the duplicate charge of {total} to your card.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".messagelist")).to_contain_text(f"{ticket.reference} resolved; the customer is told.")
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    assert Interaction.objects.filter(ticket=ticket, action__in=["refund_granted", "refund_sent"]).count() == 2

    # 5. The buyer sees the refund on the order page and the resolution on the request.
    page.context.clear_cookies()
    log_in(page, base, "bella")
    page.goto(f"{base}/orders/{order.pk}/")
    timeline = page.get_by_role("list", name="Timeline of payment PAY-TWICE-2")
    expect(timeline).to_contain_text(re.compile(rf"Refund of {re.escape(total)} issued"))
    expect(timeline).to_contain_text("Usually on your statement in")
    first = page.get_by_role("article", name=re.compile(r"Payment PAY-FIRST-1"))
    expect(first).to_be_visible()
    expect(first).not_to_contain_text("Refund of")  # the charge that stands is untouched
    shoot(page, request, "4-order-refunded")
    page.goto(f"{base}/support/{ticket.pk}/")
    resolution = page.get_by_role("region", name="Resolution")
    expect(resolution).to_contain_text(f"We refunded the duplicate charge of {total} to your card.")
    expect(page.locator(".ticket-status")).to_have_text("Resolved")
    expect(page.locator("main")).to_contain_text(f"Refund of {total} sent: usually on your statement in")
    shoot(page, request, "5-resolved")
