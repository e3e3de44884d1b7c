"""Each role's first page, at a laptop's 1366 x 768 and a phone's 390 x 844, and the console shaped
by role (issue 14): finance lands on its own queues with every other list in one collapsed
"Records" group, not on 30+ model links.

Screenshots: ``tests/e2e/screenshots/first_page-<role>-<width>x<height>.png`` (full page).
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from marketplace.services.refunds import refund_grant
from tests.accounts.factories import PASSWORD, AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, SellerFactory, SellerMemberFactory
from tests.marketplace.factories_billing import PaymentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SIZES = ((1366, 768), (390, 844))
LANDING = {
    Role.BUYER: r"/messages/$",
    Role.SELLER: r"/seller/$",
    Role.SUPPORT: r"/admin/$",
    Role.MODERATOR: r"/admin/$",
    Role.FINANCE: r"/admin/$",
    Role.INTEGRATION: r"/admin/$",
    Role.ADMIN: r"/admin/$",
}
# What each staff role finds first on its console home: its own group's queue or list.
FIRST_SECTION = {
    Role.SUPPORT: "Support queue, live",
    Role.MODERATOR: "Reviews, live",
    Role.FINANCE: "Refunds and invoices",
    Role.INTEGRATION: "What your system pushed in",
    Role.ADMIN: "Support queue, live",
}


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()


def person(role: Role) -> User:
    if role == Role.SELLER:
        return SellerMemberFactory(
            username="sam", first_name="Sam", last_name="Seller", seller=SellerFactory(name="Acme")
        )
    if role == Role.BUYER:
        return BuyerFactory(username="bella", first_name="Bella", last_name="Buyer")
    factory = AdminFactory if role == Role.ADMIN else UserFactory
    return factory(username=f"{role.value}-1", first_name="Alex", last_name="Agent", role=role)


def refunds_waiting(count: int) -> None:
    support = UserFactory(role=Role.SUPPORT)
    for _ in range(count):
        order = OrderFactory(subtotal=Decimal("500.00"), shipping_fee=0, tax=0, total=Decimal("500.00"))
        refund_grant(
            payment=PaymentFactory(order=order),
            amount=Decimal("120.00"),
            reason="Returned",
            actor=support,
            now=timezone.now(),
        )


@pytest.mark.parametrize("role", list(LANDING), ids=lambda role: role.value)
def test_each_roles_first_page_fits_a_laptop_and_a_phone(page: Page, live_server, role: Role) -> None:
    user = person(role)
    log_in(page, live_server.url, user.username)
    expect(page).to_have_url(re.compile(LANDING[role]))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        if role in FIRST_SECTION:
            expect(page.get_by_role("heading", name=re.compile(FIRST_SECTION[role]), level=2).first).to_be_visible()
        else:
            expect(page.get_by_role("heading", level=1)).to_be_visible()
        # Nothing wider than the screen: no sideways scrolling of the whole page.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{role.value} at {width} px is {overflow} px too wide"
        page.screenshot(path=str(SCREENSHOTS / f"first_page-{role.value}-{width}x{height}.png"), full_page=True)


def test_finance_sees_its_queues_and_the_records_collapsed_not_thirty_links(page: Page, live_server) -> None:
    refunds_waiting(2)
    finance = person(Role.FINANCE)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server.url, finance.username)
    expect(page).to_have_url(re.compile(r"/admin/$"))

    main = page.locator("#content-main")
    expect(main.get_by_role("link", name="2 Refunds to send", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name=re.compile("Tickets escalated to finance"))).to_be_visible()
    for other in ("Support queue, live", "Reviews, live", "Help desk, live"):
        expect(main.get_by_role("heading", name=re.compile(other))).to_have_count(0)
    visible_links = main.locator("a:visible")
    # Its queues and lists (refunds, invoices, tickets, royalty statements), not the 30+ model links.
    assert visible_links.count() < 20
    records = main.locator("details.sp-records")
    expect(records.get_by_role("link", name="Invoice lines", exact=True)).to_be_hidden()
    page.screenshot(path=str(SCREENSHOTS / "console_finance_index.png"), full_page=True)

    records.locator("summary").click()
    expect(records.get_by_role("link", name="Invoice lines", exact=True)).to_be_visible()
    assert main.locator("a:visible").count() > 30

    # The queue card opens the list filtered to exactly what it counts.
    main.get_by_role("link", name="2 Refunds to send").click()
    expect(page).to_have_url(re.compile(r"/admin/marketplace/refundgrant/\?status__exact=granted$"))
    expect(page.locator("#result_list tbody tr")).to_have_count(2)

    # The sidebar of a list, opened with », shows the Finance group and the Records closed.
    page.locator("#toggle-nav-sidebar").click()
    sidebar = page.locator("#nav-sidebar")
    expect(sidebar.locator(".sp-nav-group caption")).to_have_text(["Finance"])
    expect(sidebar.get_by_role("link", name="Refunds to send")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Invoice lines", exact=True)).to_be_hidden()
    # The drawer lies over the list: the list keeps the whole width of a laptop screen.
    overflow = page.evaluate(
        "(() => { const r = document.querySelector('.results'); return r.scrollWidth - r.clientWidth; })()"
    )
    assert overflow <= 1
    page.screenshot(path=str(SCREENSHOTS / "console_finance_sidebar.png"), full_page=False)
    # Typing in the filter opens the Records group to show a match.
    sidebar.locator("#nav-filter").fill("invoice lines")
    expect(sidebar.get_by_role("link", name="Invoice lines", exact=True)).to_be_visible()


def test_support_and_moderators_each_see_their_own_groups(page: Page, live_server) -> None:
    for role, mine, not_mine in (
        (Role.SUPPORT, ["Support", "Feedback"], "Flagged responses to moderate"),
        (Role.MODERATOR, ["Moderation", "Feedback"], "Unassigned escalations"),
    ):
        user = person(role)
        log_in(page, live_server.url, user.username)
        page.goto(f"{live_server.url}/admin/marketplace/order/")
        page.evaluate("localStorage.setItem('django.admin.navSidebarIsOpen', 'true')")
        page.reload()
        sidebar = page.locator("#nav-sidebar")
        expect(sidebar.locator(".sp-nav-group caption")).to_have_text(mine)
        expect(sidebar.get_by_role("link", name=not_mine)).to_have_count(0)
        page.context.clear_cookies()
