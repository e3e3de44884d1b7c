"""The console's Feedback & CSAT report in a real browser: support logs into /admin/, goes from the
action plans to the monthly report (the last full month), reads CSAT against the 90 % target,
clicks a category's figure and reads the survey answers behind it. Screenshots in
``tests/e2e/screenshots/`` (``<test>-<step>.png``)."""

import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.test_inquiries_flow import shoot
from tests.feedback.factories_reports import ReportResponseFactory
from tests.marketplace.factories import SellerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]


def test_support_opens_the_monthly_report_and_drills_into_a_category(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    now = timezone.now().astimezone(UTC)
    last_month_day = now.replace(day=1, hour=12, minute=0, second=0, microsecond=0) - timedelta(days=10)
    seller = SellerFactory(name="Acme Outfitters")
    answers = [
        (5, "shipping_delivery", ""),
        (2, "shipping_delivery", "The parcel arrived a week late"),
        (1, "shipping_delivery", "Courier left it in the rain"),
        (5, "payment_billing", ""),
        (4, "payment_billing", ""),
        (3, "technical", "The checkout page froze twice"),
    ]
    for index, (overall, category, issues) in enumerate(answers):
        ReportResponseFactory(
            created_at=last_month_day + timedelta(hours=index),
            overall=overall,
            category=category,
            issues=issues,
            seller=seller,
        )
    UserFactory(username="suzy", first_name="Suzy", role="support")
    base = live_server.url

    page.goto(f"{base}/admin/")
    page.get_by_label("Username").fill("suzy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Action plans").first.click()
    page.get_by_role("link", name="Feedback & CSAT report").click()

    month_title = f"{last_month_day:%B %Y}"
    expect(page.get_by_role("heading", name=f"Platform-wide · {month_title}")).to_be_visible()
    expect(page.locator("#sp-headline-csat")).to_contain_text("50 %")  # 3 of 6 satisfied
    expect(page.locator("#sp-headline-csat")).to_contain_text("below target")
    expect(page.get_by_role("img", name=re.compile(r"^CSAT per month, last 12 months"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^CSAT by category"))).to_be_visible()
    shipping = page.locator('#sp-categories tr[data-category="shipping_delivery"]')
    expect(shipping).to_contain_text("33.3 %")
    shoot(page, request, "0-report", mobile_too=False)

    shipping.get_by_role("link", name="3", exact=True).click()

    expect(page).to_have_url(re.compile(r"/admin/feedback/surveyresponse/\?.*category=shipping_delivery"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("The parcel arrived a week late")
    expect(page.locator("#result_list")).to_contain_text("Courier left it in the rain")
    expect(page.locator("#result_list")).not_to_contain_text("The checkout page froze twice")
    shoot(page, request, "1-answers", mobile_too=False)


def test_a_seller_reads_its_own_csat_on_the_dashboard(page: Page, live_server, request: pytest.FixtureRequest) -> None:
    from tests.e2e.test_inquiries_flow import log_in
    from tests.marketplace.factories import SellerMemberFactory

    now = timezone.now().astimezone(UTC)
    seller, other = SellerFactory(name="Acme Outfitters"), SellerFactory(name="Bolt Electronics")
    SellerMemberFactory(username="acme-owner", seller=seller)
    for overall in (5, 5, 4, 2):
        ReportResponseFactory(created_at=now - timedelta(minutes=5), overall=overall, seller=seller)
    ReportResponseFactory(created_at=now - timedelta(minutes=5), overall=1, seller=other)

    log_in(page, live_server.url, "acme-owner")
    page.goto(f"{live_server.url}/seller/")

    expect(page.locator("#seller-csat")).to_have_text("75 %")  # 3 of its own 4; the other store's 1 not counted
    expect(
        page.get_by_role("heading", name=re.compile(r"^Customer satisfaction against the 90 % target"))
    ).to_be_visible()
    expect(page.get_by_role("img", name="Customer satisfaction by month")).to_be_visible()
    shoot(page, request, "seller-dashboard")
