"""The inquiry pages in a real browser: a buyer asks, the seller answers with a quick reply, the
buyer reads it; and a question nobody answered in time, escalated by the sweep, as the buyer and
support see it. Full-page screenshots at desktop (1280 px) and mobile (390 px) widths go to
``tests/e2e/screenshots/`` (``<test>-<step>.png``)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.utils import timezone
from playwright.sync_api import Page, expect

from inquiries.models import Escalation, ReplyTemplate
from inquiries.services.messaging import conversation_open
from inquiries.services.sweep import inquiries_sweep
from tests.accounts.factories import PASSWORD, BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def shoot(page: Page, request: pytest.FixtureRequest, step: str, *, mobile_too: bool = True) -> None:
    """Save the page full length at desktop width and, unless told otherwise, at phone width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{step}.png"), full_page=True)
    if mobile_too:
        page.set_viewport_size(MOBILE)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{step}-mobile.png"), full_page=True)
        page.set_viewport_size(DESKTOP)


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("banner").get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_buyer_asks_seller_answers_with_a_quick_reply_buyer_reads_it(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    store = SellerFactory(name="Acme Outfitters", slug="acme-outfitters")
    SellerMemberFactory(username="sam", first_name="Sam", last_name="Seller", seller=store)
    buyer = BuyerFactory(username="bella", first_name="Bella", last_name="Buyer")
    jacket = ProductFactory(seller=store, name="Trail Jacket")
    order = OrderFactory(buyer=buyer, seller=store)
    ReplyTemplate.objects.create(
        seller=store,
        title="Shipping times",
        body="Hi {buyer_name}, we ship within 2 working days and you get a tracking link by e-mail.",
        keywords="ship shipping delivery dispatch",
    )
    base = live_server.url

    # The buyer asks about an order from their messages page.
    log_in(page, base, "bella")
    expect(page).to_have_url(re.compile(r"/messages/$"))
    expect(page.get_by_role("heading", name="Your recent orders")).to_be_visible()
    page.get_by_role("link", name=f"Ask the seller about order {order.number}").click()
    expect(page.get_by_role("heading", name="Ask Acme Outfitters", level=1)).to_be_visible()
    page.get_by_label("Subject").fill("When will my order ship?")
    page.get_by_label("Your question").fill("Hello! When do you ship the order? I need it <soon>.")
    page.get_by_role("button", name="Send question").click()
    expect(page.get_by_role("heading", name="When will my order ship?", level=1)).to_be_visible()
    thread = page.get_by_role("list", name="Messages")
    expect(thread).to_contain_text("I need it <soon>.")  # plain text, shown as typed
    expect(thread).to_contain_text("Automatic reply")
    expect(thread).to_contain_text("Acme Outfitters usually replies within 4 hours")
    expect(page.locator(".due-box .countdown")).to_contain_text(re.compile(r"3 h 5\d min left|4 h 00 min left"))
    shoot(page, request, "1-buyer-asked")
    log_out(page)

    # The seller sees it in the inbox with a live countdown.
    log_in(page, base, "sam")
    expect(page).to_have_url(re.compile(r"/seller/$"))
    row = page.locator(".inbox-row", has_text="When will my order ship?")
    expect(row).to_be_visible()
    expect(row.locator(".countdown")).to_contain_text(re.compile(r"\d+ h \d\d min left"))
    expect(page.get_by_role("img", name="Within-target percentage by month")).to_be_visible()
    expect(page.get_by_text("Projected standing")).to_be_visible()
    shoot(page, request, "2-seller-dashboard")

    # ... opens it, picks the quick reply, and sends it.
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="When will my order ship?", level=1)).to_be_visible()
    expect(page.get_by_role("list", name="Messages")).to_contain_text("I need it <soon>.")
    reply_box = page.get_by_label("Your reply")
    expect(reply_box).to_have_value("")
    page.get_by_label("Quick reply").select_option(label="Shipping times")
    expect(reply_box).to_have_value(re.compile(r"we ship within 2 working days"))
    shoot(page, request, "3-seller-quick-reply", mobile_too=True)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Reply sent")
    expect(page.get_by_role("list", name="Messages")).to_contain_text("we ship within 2 working days")
    expect(page.locator(".msg-seller .pill")).to_contain_text("Quick reply")
    page.goto(f"{base}/seller/")
    expect(page.locator(".inbox-row", has_text="When will my order ship?")).to_have_count(1)
    expect(page.get_by_role("heading", name="Recently answered")).to_be_visible()
    log_out(page)

    # The buyer reads the answer.
    log_in(page, base, "bella")
    expect(page).to_have_url(re.compile(r"/messages/$"))
    conversation_row = page.locator(".inbox-row", has_text="When will my order ship?")
    expect(conversation_row).to_contain_text("New reply")
    shoot(page, request, "4-buyer-list")
    conversation_row.get_by_role("link").click()
    expect(page.get_by_role("list", name="Messages")).to_contain_text("we ship within 2 working days")
    expect(page.locator(".msg-seller .msg-author")).to_contain_text("Acme Outfitters")
    shoot(page, request, "5-buyer-reads-answer")

    # The product route works too ("Ask the seller" from a product page).
    page.goto(f"{base}/messages/new/?seller={store.pk}&product={jacket.pk}")
    expect(page.get_by_label("Subject")).to_have_value("About Trail Jacket")


def test_escalated_thread_is_seen_by_the_buyer_and_by_support(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    store = SellerFactory(name="Slowpoke Supplies", slug="slowpoke-supplies")
    SellerMemberFactory(username="sam", seller=store)
    buyer = BuyerFactory(username="bella", first_name="Bella", last_name="Buyer")
    UserFactory(username="sue", first_name="Sue", last_name="Support", role="support")
    asked_at = timezone.now() - timedelta(hours=5)
    conversation = conversation_open(
        buyer=buyer, seller=store, subject="Wrong size delivered", body="I got an M instead of an L.", now=asked_at
    )
    result = inquiries_sweep(now=timezone.now())
    assert Escalation.objects.filter(conversation=conversation).count() == 1, result
    base = live_server.url

    log_in(page, base, "bella")
    row = page.locator(".inbox-row", has_text="Wrong size delivered")
    expect(row).to_contain_text("Escalated to support")
    row.get_by_role("link").click()
    expect(page.get_by_role("status").filter(has_text="SayPro support has taken over")).to_be_visible()
    thread = page.get_by_role("list", name="Messages")
    expect(thread.locator(".msg-auto_ack")).to_contain_text("usually replies within")
    expect(thread.locator(".msg-system")).to_contain_text("our support team is on it now")
    shoot(page, request, "1-buyer-thread")
    log_out(page)

    # The seller sees it highlighted in the inbox.
    log_in(page, base, "sam")
    seller_row = page.locator(".inbox-row.is-escalated", has_text="Wrong size delivered")
    expect(seller_row).to_contain_text("Escalated")
    expect(seller_row.locator(".countdown")).to_contain_text("Overdue by")
    shoot(page, request, "2-seller-inbox", mobile_too=False)
    log_out(page)

    # Support sees it in the console's queue, when the console has one.
    if Escalation not in admin.site._registry:
        pytest.skip("the console's escalation queue (/admin/inquiries/escalation/) is not installed yet")
    log_in(page, base, "sue")
    page.goto(f"{base}/admin/inquiries/escalation/")
    expect(page.locator("#result_list")).to_contain_text("Wrong size delivered")
    shoot(page, request, "3-support-queue", mobile_too=False)
