"""The seller and buyer pages a newcomer meets first, in a real browser: a seller's header leads to the
store's own pages, a buyer asks about a product before buying, text over the limit is counted and
refused without losing a character, the rating is a star picker worked from the keyboard. Each page
is saved at 1366x768 and at phone width (390x844) in ``tests/e2e/screenshots/``."""

import re

import pytest
from playwright.sync_api import Page, expect

from inquiries.models import Conversation
from reviews.models import Review
from tests.accounts.factories import BuyerFactory
from tests.e2e.test_inquiries_flow import log_in
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = __import__("tests.e2e.conftest", fromlist=["SCREENSHOTS"]).SCREENSHOTS


def shoot_both(page: Page, request: pytest.FixtureRequest, step: str, *, fits_a_phone: bool = True) -> None:
    """The page full length at 1366x768 and at 390x844; the page must not scroll sideways on a phone."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{step}-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{step}-390.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
    assert overflow <= 1 or not fits_a_phone, f"{step}: the page scrolls sideways by {overflow}px on a phone"


def test_a_sellers_header_leads_to_the_stores_messages_and_reviews(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    store = SellerFactory(name="Acme Outfitters")
    SellerMemberFactory(username="sam", first_name="Sam", seller=store)
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server.url, "sam")
    header = page.get_by_role("navigation", name="Main")

    header.get_by_role("link", name="Messages").click()
    expect(page).to_have_url(re.compile(r"/seller/messages/$"))
    expect(page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    expect(page.get_by_text("Every buyer conversation of Acme Outfitters")).to_be_visible()
    expect(header.get_by_role("link", name="Messages")).to_have_attribute("aria-current", "page")
    shoot_both(page, request, "messages")

    header.get_by_role("link", name="Reviews").click()
    expect(page).to_have_url(re.compile(r"/seller/reviews/$"))
    expect(header.get_by_role("link", name="Reviews")).to_have_attribute("aria-current", "page")
    expect(header.get_by_role("link", name="Seller dashboard")).not_to_have_attribute("aria-current", "page")
    shoot_both(page, request, "reviews")


def test_a_buyer_asks_before_buying_and_a_long_question_is_counted_and_refused_whole(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    store = SellerFactory(name="Acme Outfitters")
    ProductFactory(seller=store, name="Trail Jacket")
    BuyerFactory(username="bella", first_name="Bella")
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server.url, "bella")

    page.locator("main").get_by_role("link", name="Ask about a product or an order").click()
    page.get_by_label("Product name").fill("jacket")
    page.get_by_role("button", name="Find").click()
    shoot_both(page, request, "choose")
    page.get_by_role("link", name="Ask the seller about Trail Jacket").click()
    expect(page.get_by_role("heading", name="Ask Acme Outfitters", level=1)).to_be_visible()

    box = page.get_by_label("Your question")
    counter = page.locator("main .char-counter")  # not the feedback dialog's
    box.fill("Does it come in XL?")
    expect(counter).to_have_text("19 / 5,000 characters")
    too_long = "x" * 5_010
    box.fill(too_long)
    expect(counter).to_have_text("10 characters over the limit of 5,000: shorten it to send.")
    expect(counter).to_have_class(re.compile("is-over"))
    page.get_by_role("button", name="Send question").click()
    expect(box).to_be_focused()  # the browser refused: nothing sent, nothing cut
    assert box.input_value() == too_long
    assert not Conversation.objects.exists()
    shoot_both(page, request, "too-long")

    box.fill("Does it come in XL?")
    page.get_by_role("button", name="Send question").click()
    expect(page.get_by_text("Your question was sent to Acme Outfitters.")).to_be_visible()
    conversation = Conversation.objects.get()
    assert conversation.product is not None and conversation.order is None


def test_the_rating_star_picker_works_from_the_keyboard(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    store = SellerFactory(name="Acme Outfitters")
    buyer = BuyerFactory(username="bella", first_name="Bella")
    order = OrderFactory(buyer=buyer, seller=store)
    product = order.items.get().product
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server.url, "bella")
    page.goto(f"{live_server.url}/reviews/new/?order={order.pk}&product={product.pk}")

    page.get_by_label("Product", exact=True).focus()
    page.keyboard.press("Tab")  # into the star picker, on the first star
    page.keyboard.press("Space")  # 1 star
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # 2, 3, 4 stars
    expect(page.get_by_label("4 stars: Good")).to_be_checked()
    expect(page.locator("[data-star-picker-text]")).to_have_text("4 stars: Good")
    lit = page.locator(".star-picker label").evaluate_all(
        "labels => labels.map(label => getComputedStyle(label).color)"
    )
    assert len(set(lit[:4])) == 1 and lit[4] != lit[0]  # four stars lit, the fifth not
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_label("3 stars: OK")).to_be_checked()
    shoot_both(page, request, "stars")

    page.get_by_label("Title").fill("Fine")
    page.get_by_label("Your review").fill("Does the job.")
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("Thank you! Your review is published.")).to_be_visible()
    assert Review.objects.get().rating == 3


def test_the_review_lists_fit_a_1366_screen_with_the_rating_readable(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    from django.utils import timezone

    from accounts.models import Role
    from reviews.services.reviews import review_create
    from tests.accounts.factories import UserFactory

    store = SellerFactory(name="Harbor & Pine Home")
    for index, rating in enumerate((1, 2, 5)):
        review_create(
            buyer=BuyerFactory(),
            product=ProductFactory(seller=store, name=f"Chunky Knit Throw Blanket {index} (HPH-104{index})"),
            rating=rating,
            title="Stopped working after two uses",
            body="It broke.",
            now=timezone.now(),
        )
    UserFactory(username="mo", role=Role.MODERATOR, is_staff=True)
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server.url, "mo")

    for path in ("/admin/reviews/review/", "/admin/reviews/review/?needs_response=negative"):
        page.goto(live_server.url + path)
        sizes = page.evaluate(
            "(() => { const table = document.querySelector('#result_list');"
            " return [table.scrollWidth, document.querySelector('.results').clientWidth]; })()"
        )
        assert sizes[0] <= sizes[1], f"{path}: the list is {sizes[0]} px wide in {sizes[1]} px"
        expect(page.locator("#result_list th.column-due")).to_be_in_viewport()
    one_star = page.locator(".sp-stars--1")
    lit, pale = one_star.evaluate(
        "stars => [getComputedStyle(stars).color, getComputedStyle(stars.querySelector('.sp-stars__off')).color]"
    )
    assert lit != pale  # a 1-star review does not read as five stars
    page.screenshot(path=str(SCREENSHOTS / "review_list_1366.png"))


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [
        ("buyer", r"/messages/$"),
        ("seller", r"/seller/$"),
        ("support", r"/admin/$"),
        ("moderator", r"/admin/$"),
        ("finance", r"/admin/$"),
        ("integration", r"/admin/$"),
        ("admin", r"/admin/$"),
    ],
)
def test_each_roles_first_page_at_laptop_and_phone_width(
    page: Page, live_server, request: pytest.FixtureRequest, role: str, lands_on: str
) -> None:
    from accounts.models import Role
    from tests.accounts.factories import AdminFactory, UserFactory

    store = SellerFactory(name="Acme Outfitters")
    if role == "buyer":
        buyer = BuyerFactory(username="first-login", first_name="Bella", last_name="Buyer")
        OrderFactory(buyer=buyer, seller=store)
    elif role == "seller":
        SellerMemberFactory(username="first-login", first_name="Sam", last_name="Seller", seller=store)
    elif role == "admin":
        AdminFactory(username="first-login", first_name="Alex", last_name="Admin")
    else:
        UserFactory(username="first-login", first_name="Alex", last_name="Agent", role=Role(role), is_staff=True)
    page.set_viewport_size(LAPTOP)

    log_in(page, live_server.url, "first-login")

    expect(page).to_have_url(re.compile(lands_on))
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    shoot_both(page, request, "first-page", fits_a_phone=role in {"buyer", "seller"})
