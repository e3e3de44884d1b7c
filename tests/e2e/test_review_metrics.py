"""The console's review metrics report in a real browser: support goes from the index page to the
report, switches to the quarter, picks a seller with the autocomplete, and opens the list behind a
count. Screenshots in ``tests/e2e/screenshots/`` (``<test>-<step>.png``)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reviews.services.reviews import review_create
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.e2e.test_inquiries_flow import log_in, shoot
from tests.marketplace.factories import ProductFactory, SellerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]


def test_support_reads_review_metrics_for_a_seller_and_opens_its_open_negative_reviews(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    now = timezone.now()
    acme = ProductFactory(seller=SellerFactory(name="Acme Outfitters", slug="acme-outfitters"))
    bolt = ProductFactory(seller=SellerFactory(name="Bolt Electronics", slug="bolt-electronics"))
    for product, ratings in ((acme, (1, 2, 5)), (bolt, (4, 5))):
        for rating in ratings:
            review_create(buyer=BuyerFactory(), product=product, rating=rating, title=f"{rating}★", body="x", now=now)
    UserFactory(username="suzy", first_name="Suzy", role="support")
    base = live_server.url

    log_in(page, base, "suzy")
    page.goto(f"{base}/admin/")
    expect(page.get_by_role("img", name=re.compile(r"^Reviews answered within target, platform-wide"))).to_be_visible()
    shoot(page, request, "0-index-trends", mobile_too=False)
    page.get_by_role("link", name=re.compile(r"^Review metrics")).click()
    last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%B %Y")
    expect(page.get_by_role("heading", name=f"Platform-wide · {last_month}")).to_be_visible()  # the last full month
    expect(page.get_by_role("img", name=re.compile(r"last 12 months"))).to_be_visible()
    page.get_by_role("link", name="Current month").click()
    expect(page.get_by_role("heading", name=f"Platform-wide · {now:%B %Y}")).to_be_visible()
    sellers = page.locator("#sp-sellers tbody tr")
    expect(sellers).to_have_count(2)
    expect(sellers.first).to_contain_text("Acme Outfitters")  # two open negative reviews
    shoot(page, request, "1-platform", mobile_too=False)

    page.get_by_role("link", name="Quarter").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Platform-wide · Q\d 20\d\d"))).to_be_visible()
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Acme")
    page.locator(".select2-results__option", has_text="Acme Outfitters").click()
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Acme Outfitters · Q\d 20\d\d"))).to_be_visible()
    expect(page.locator(".sp-band-row--total td").first).to_have_text("3")
    shoot(page, request, "2-seller-quarter", mobile_too=False)

    page.get_by_role("link", name=re.compile("Open negative reviews")).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#result_list")).not_to_contain_text("Bolt Electronics")
