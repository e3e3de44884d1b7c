"""The reviews pages in a real browser: (a) a buyer posts a 1-star review, the seller sees it
flagged urgent and answers from a template, the buyer reads the answer; (b) a buyer reports a
review on the wrong product, support moves it and resolves the case in the console, the buyer sees
the case resolved. Screenshots in ``tests/e2e/screenshots/`` (``<test>-<step>.png``)."""

import re

import pytest
from playwright.sync_api import Page, expect

from reviews.models import Review, ReviewCase
from reviews.services.reviews import review_create
from reviews.services.templates import starter_templates_install
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.e2e.test_inquiries_flow import log_in, log_out, shoot
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]


def test_one_star_review_is_answered_from_a_template_and_the_buyer_reads_it(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    store = SellerFactory(name="Acme Outfitters", slug="acme-outfitters")
    SellerMemberFactory(username="sam", first_name="Sam", seller=store)
    buyer = BuyerFactory(username="bella", first_name="Bella", last_name="Buyer")
    order = OrderFactory(buyer=buyer, seller=store)
    product = order.items.get().product
    starter_templates_install()
    base = live_server.url

    log_in(page, base, "bella")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("heading", name="Your reviews", level=1)).to_be_visible()
    page.get_by_role("link", name=f"Write a review of {product.name}").click()
    expect(page.get_by_role("heading", name="Write a review", level=1)).to_be_visible()
    page.get_by_title("1 star: Very poor").click()  # the first star of the picker
    page.get_by_label("Title").fill("Broke on day one")
    page.get_by_label("Your review").fill("The zip <broke> the first time I used it.")
    shoot(page, request, "1-buyer-writes", mobile_too=False)
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("Thank you! Your review is published.")).to_be_visible()
    expect(page.get_by_text("The zip <broke> the first time I used it.")).to_be_visible()
    log_out(page)

    log_in(page, base, "sam")
    page.goto(f"{base}/seller/reviews/")
    queue = page.get_by_role("heading", name=re.compile("Needing a response"))
    expect(queue).to_contain_text("1 urgent")
    row = page.locator(".inbox-row.is-urgent")
    expect(row).to_contain_text("Broke on day one")
    expect(row).to_contain_text("Urgent")
    expect(row.locator(".countdown")).to_contain_text("left")
    shoot(page, request, "2-seller-queue")
    row.get_by_role("link").click()
    page.get_by_label("Start from a template").select_option(
        label="Negative: product defect — Product defect: replacement or refund"
    )
    box = page.get_by_label("Your response")
    expect(box).to_have_value(re.compile(r"^Hi Bella, thank you for telling us about the problem with"))
    expect(page.locator("[data-preview-text]")).to_contain_text("Hi Bella")
    shoot(page, request, "3-seller-responds", mobile_too=False)
    page.get_by_role("button", name="Publish response").click()
    expect(page.get_by_text("Response published. The customer has been notified.")).to_be_visible()
    log_out(page)

    log_in(page, base, "bella")
    page.goto(f"{base}/reviews/")
    answer = page.locator(".review-response")
    expect(answer).to_contain_text("Response from Acme Outfitters")
    expect(answer).to_contain_text("Hi Bella, thank you for telling us about the problem")
    expect(page.get_by_text("Did Acme Outfitters put things right?")).to_be_visible()
    shoot(page, request, "4-buyer-reads")
    page.get_by_role("button", name="Yes, resolved").click()
    expect(page.get_by_text("Thanks for letting us know your issue is resolved.")).to_be_visible()
    assert Review.objects.get().first_response_at is not None


def test_wrong_product_case_is_worked_by_support_in_the_console(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    from django.utils import timezone

    store = SellerFactory(name="Kitchen Co", slug="kitchen-co")
    buyer = BuyerFactory(username="carl", first_name="Carl")
    order = OrderFactory(buyer=buyer, seller=store)
    kettle = order.items.get().product
    ProductFactory(seller=store, name="Blue Kettle Deluxe")
    UserFactory(username="suzy", first_name="Suzy", role="support")
    review_create(buyer=buyer, product=kettle, rating=4, title="Boils fast", body="Great kettle.", now=timezone.now())
    base = live_server.url

    log_in(page, base, "carl")
    page.goto(f"{base}/reviews/")
    page.get_by_role("link", name="Review on the wrong product or incorrect?").click()
    page.get_by_label("My review is on the wrong product").check()
    page.get_by_label("Describe the problem").fill("I reviewed the Blue Kettle Deluxe, not this one.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name=re.compile(r"Case \d+: My review is on the wrong product"))).to_be_visible()
    expect(page.locator(".case-status")).to_have_text("Open — we are on it")
    log_out(page)

    case = ReviewCase.objects.get()
    log_in(page, base, "suzy")
    page.goto(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Reviews, live")).to_be_visible()
    shoot(page, request, "1-console-index", mobile_too=False)
    page.get_by_role("link", name=re.compile("Open review cases")).click()
    page.get_by_role("link", name=f"Case {case.pk}").click()
    page.get_by_role("link", name="Move review to a product…").click()
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Blue Kettle")
    page.locator(".select2-results__option", has_text="Blue Kettle Deluxe").click()
    page.get_by_label("Note").fill("Customer confirmed the right product.")
    shoot(page, request, "2-console-reassign", mobile_too=False)
    page.get_by_role("button", name="Move review").click()
    expect(page.locator(".messagelist")).to_contain_text("review moved")
    page.get_by_role("link", name="Resolve…").click()
    page.get_by_label("Resolution").fill("Your review is now on the Blue Kettle Deluxe.")
    page.get_by_label("Coupon code").fill("THANKS10")
    page.get_by_role("button", name="Resolve case").click()
    expect(page.locator(".messagelist")).to_contain_text("resolved")
    shoot(page, request, "3-console-case", mobile_too=False)
    log_out(page)

    log_in(page, base, "carl")
    page.goto(f"{base}/reviews/cases/{case.pk}/")
    expect(page.locator(".case-status")).to_have_text("Resolved")
    expect(page.get_by_text("Your review is now on the Blue Kettle Deluxe.").first).to_be_visible()
    expect(page.get_by_text("We moved your review to the right product")).to_be_visible()
    shoot(page, request, "4-buyer-case-resolved")
    assert Review.objects.get().product.name == "Blue Kettle Deluxe"
