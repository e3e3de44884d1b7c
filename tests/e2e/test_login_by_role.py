"""Each role logs in through the real login page, lands where it works, and logs out again.

Buyers land on /messages/, seller members on /seller/, staff (support, moderator, finance) and
admins in the moderators' console at /admin/. Assertions are on what the person sees.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.accounts.factories import PASSWORD, AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]

CONSOLE_HEADER = "SayPro moderators' console"


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()


def log_out_from_site(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_anonymous_visitor_sees_the_landing_page_and_a_way_to_log_in(page: Page, live_server, screenshot) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot()
    page.locator("main").get_by_role("link", name="Log in").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_wrong_password_keeps_the_visitor_on_the_login_page_with_an_error(page: Page, live_server, screenshot) -> None:
    BuyerFactory(username="bella")
    log_in(page, live_server.url, "bella", password="not-her-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    screenshot()


def test_buyer_logs_in_to_their_messages_and_logs_out(page: Page, live_server, screenshot) -> None:
    buyer = BuyerFactory(username="bella", first_name="Bella", last_name="Buyer")
    log_in(page, live_server.url, buyer.username)

    expect(page).to_have_url(re.compile(r"/messages/$"))
    expect(page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Bella Buyer")
    screenshot()

    log_out_from_site(page)
    page.goto(live_server.url + "/messages/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/messages/$"))


def test_seller_member_logs_in_to_the_seller_dashboard_and_logs_out(page: Page, live_server, screenshot) -> None:
    seller = SellerFactory(name="Acme Outfitters", slug="acme-outfitters")
    SellerMemberFactory(username="sam", first_name="Sam", last_name="Seller", seller=seller)
    log_in(page, live_server.url, "sam")

    expect(page).to_have_url(re.compile(r"/seller/$"))
    expect(page.get_by_role("heading", name="Seller dashboard", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Acme Outfitters")
    expect(page.get_by_role("banner")).to_contain_text("Sam Seller")
    screenshot()

    log_out_from_site(page)
    page.goto(live_server.url + "/seller/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/seller/$"))


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.ADMIN])
def test_staff_log_in_to_the_moderators_console_open_a_queue_and_log_out(
    page: Page, live_server, screenshot, role: Role
) -> None:
    factory = AdminFactory if role == Role.ADMIN else UserFactory
    factory(username=f"{role.value}-agent", first_name="Alex", last_name="Agent", role=role)
    log_in(page, live_server.url, f"{role.value}-agent")

    # The landing page sends staff to the console: their own queues first, every list they may see
    # in the collapsed "Records" group (core.console_navigation).
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_contain_text(CONSOLE_HEADER)
    expect(page.locator("#user-tools")).to_contain_text("Alex")
    records = page.locator("#content-main details.sp-records")
    orders_link = records.get_by_role("link", name="Orders", exact=True)
    expect(orders_link).to_be_hidden()
    screenshot()
    records.locator("summary").click()
    expect(orders_link).to_be_visible()

    orders_link.click()
    expect(page).to_have_url(re.compile(r"/admin/marketplace/order/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("order", re.IGNORECASE))
    expect(page.locator("#site-name")).to_contain_text(CONSOLE_HEADER)

    # Logging out of the console ends the session and returns to the site's login page.
    page.locator("#logout-form").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))


def test_a_buyer_cannot_open_the_moderators_console(page: Page, live_server, screenshot) -> None:
    BuyerFactory(username="bella")
    log_in(page, live_server.url, "bella")
    expect(page).to_have_url(re.compile(r"/messages/$"))

    page.goto(live_server.url + "/admin/")
    # Django's admin shows its own login form to a signed-in non-staff user, with an explanation.
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.locator("#content")).to_contain_text("not authorized")
    screenshot()
