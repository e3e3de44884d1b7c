"""A store's owner chooses how they hear about each kind of notice from their account page, then
changes a member's; the member unsubscribes from an email's one-click link. Screenshots in
``tests/e2e/screenshots/``."""

import re

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import Page, expect

from accounts.models import Role
from marketplace.models import SellerMembership
from marketplace.notices import Kind
from notifications.services.notify import notify
from notifications.services.preferences import preferences_for_user
from tests.accounts.factories import UserFactory
from tests.e2e.test_inquiries_flow import log_in, shoot
from tests.marketplace.factories import SellerFactory, SellerMemberFactory, SellerMembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]


def test_owner_sets_their_own_and_a_members_notifications_and_the_member_unsubscribes(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    store = SellerFactory(name="Acme")
    owner = SellerMemberFactory(username="olga", first_name="Olga", last_name="Owner", seller=store)
    member = SellerMembershipFactory(
        seller=store,
        user=UserFactory(username="mike", first_name="Mike", last_name="Member", role=Role.SELLER),
        role=SellerMembership.Role.MEMBER,
    ).user

    log_in(page, live_server.url, "olga")
    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("link", name="Notification settings").first.click()
    expect(page.get_by_role("heading", name="Notification settings", level=1)).to_be_visible()
    page.get_by_label("Messages: Daily digest email").check()
    page.get_by_label("Deadline notices always by email, at once").uncheck()
    shoot(page, request, "1-own")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(page.get_by_label("Messages: Daily digest email")).to_be_checked()
    assert preferences_for_user(owner).delivery("messages") == "digest"
    assert preferences_for_user(owner).deadline_email_now is False

    members = page.get_by_role("region", name="Your store's members")
    expect(members.get_by_role("row", name=re.compile("Mike Member"))).to_be_visible()
    members.get_by_role("link", name=re.compile("Change")).click()
    expect(page.get_by_role("heading", name="Notification settings of Mike Member")).to_be_visible()
    page.get_by_label("Orders and billing: In the app only").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Mike Member's notification settings are saved.")).to_be_visible()
    assert preferences_for_user(member).delivery("orders") == "in_app"
    shoot(page, request, "2-member")

    # The member's email about an order; its one-click link (opened in a browser) asks first.
    mail.outbox.clear()
    with transaction.atomic():
        notify(recipients=[member], kind=Kind.REFUND_ISSUED, title="Refund for order SP-1")  # orders: in-app now
    assert mail.outbox == []  # the owner switched the member's orders to in-app only
    page.goto(f"{live_server.url}/settings/notifications/?member={member.pk}")
    page.get_by_label("Orders and billing: Email now").check()
    page.get_by_role("button", name="Save settings").click()
    with transaction.atomic():
        notify(recipients=[member], kind=Kind.INVOICE_ISSUED, title="Invoice INV-1")
    (message,) = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    assert preferences_for_user(member).delivery("orders") == "email"  # a GET changes nothing
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert preferences_for_user(member).delivery("orders") == "in_app"
    shoot(page, request, "3-unsubscribed", mobile_too=False)
