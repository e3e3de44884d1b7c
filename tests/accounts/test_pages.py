"""The landing, login/logout, and where each role lands (the messages and seller dashboard pages
themselves are tested in tests/inquiries/test_pages.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from tests.accounts.factories import PASSWORD, AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_landing_page_describes_the_product_and_offers_login(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "SayPro Interaction Desk" in html
    assert "Every buyer question answered" in html
    assert f'href="{reverse("login")}"' in html
    assert "Log out" not in html


@pytest.mark.parametrize("url", ["/messages/", "/seller/", "/notifications/"])
def test_anonymous_user_is_sent_to_login_from_private_pages(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_shows_the_form(client: Client) -> None:
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="login-title">Log in</h1>' in html
    assert 'name="username"' in html and 'name="password"' in html
    assert "csrfmiddlewaretoken" in html


def test_wrong_password_shows_an_error_and_stays_logged_out(client: Client) -> None:
    BuyerFactory(username="emily")

    response = client.post(reverse("login"), {"username": "emily", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_buyer_logs_in_and_lands_on_messages(client: Client) -> None:
    BuyerFactory(username="emily", first_name="Emily", last_name="Carter")

    response = client.post(reverse("login"), {"username": "emily", "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302), ("/messages/", 302)]
    html = response.content.decode()
    assert "You have no conversations yet" in html
    assert "Emily Carter" in html
    assert "Log out" in html


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.INTEGRATION])
def test_staff_roles_land_in_the_console(role: Role) -> None:
    user = UserFactory(role=role)

    response = logged_in(user).get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_superuser_lands_in_the_console() -> None:
    response = logged_in(AdminFactory()).get("/")

    assert response["Location"] == reverse("admin:index")


def test_seller_member_lands_on_the_seller_dashboard() -> None:
    member = SellerMemberFactory(seller=SellerFactory(name="Northwind Outfitters"))

    response = logged_in(member).get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("seller-dashboard")


def test_seller_dashboard_shows_the_members_store_and_an_empty_inbox() -> None:
    northwind = SellerFactory(name="Northwind Outfitters")
    member = SellerMemberFactory(seller=northwind)
    OrderFactory(seller=northwind)
    SellerFactory(name="Somebody Else's Store")

    response = logged_in(member).get(reverse("seller-dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Northwind Outfitters" in html
    assert "No buyer questions waiting" in html
    assert "Somebody Else" not in html
    assert 'href="/seller/" aria-current="page"' in html


def test_seller_dashboard_is_not_found_for_a_user_without_a_store() -> None:
    response = logged_in(BuyerFactory()).get(reverse("seller-dashboard"))

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_messages_page_shows_the_buyers_own_orders_and_unread_notifications() -> None:
    buyer = BuyerFactory()
    OrderFactory(buyer=buyer)
    OrderFactory(buyer=buyer)
    OrderFactory()  # another buyer's order is not counted
    from notifications.services.notify import notify

    notify(recipients=[buyer], kind="order_status_changed", title="Shipped", send_email=False)

    response = logged_in(buyer).get(reverse("messages"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "You have no conversations yet" in html
    assert 'Your recent orders <span class="count-pill">2</span>' in html
    assert html.count(">Ask the seller<") == 2
    assert '<span class="badge" aria-label="1 unread">1</span>' in html


def test_navigation_shows_the_seller_dashboard_only_to_seller_members() -> None:
    seller_html = logged_in(SellerMemberFactory()).get(reverse("messages")).content.decode()
    buyer_html = logged_in(BuyerFactory()).get(reverse("messages")).content.decode()

    assert "Seller dashboard" in seller_html
    assert "Seller dashboard" not in buyer_html
    assert ">Console<" not in buyer_html


def test_a_sellers_messages_and_reviews_lead_to_the_stores_pages() -> None:
    seller_html = logged_in(SellerMemberFactory()).get(reverse("seller-reviews")).content.decode()
    buyer_html = logged_in(BuyerFactory()).get(reverse("reviews")).content.decode()

    assert f'<a href="{reverse("seller-inbox")}">\n                  Messages' in seller_html
    assert f'<a href="{reverse("seller-reviews")}" aria-current="page">\n                  Reviews' in seller_html
    assert seller_html.count('aria-current="page">\n') == 1  # not the dashboard at /seller/ as well
    assert f'<a href="{reverse("messages")}">\n                  Messages' in buyer_html
    assert f'<a href="{reverse("reviews")}" aria-current="page">\n                  Reviews' in buyer_html
    assert f'<a href="{reverse("messages")}">My purchases</a>' in seller_html  # their own orders stay reachable


@pytest.mark.parametrize(
    ("make_user", "labels"),
    [
        (BuyerFactory, ["Messages", "Orders", "Reviews", "Support", "Notifications"]),
        (SellerMemberFactory, ["Seller dashboard", "Messages", "Orders", "Reviews", "Support", "Notifications"]),
        (
            lambda: UserFactory(role=Role.SUPPORT),
            ["Messages", "Orders", "Reviews", "Support", "Notifications", "Console"],
        ),
        (
            lambda: UserFactory(role=Role.INTEGRATION),
            ["Messages", "Orders", "Reviews", "Support", "Notifications", "Console", "API docs"],
        ),
        (AdminFactory, ["Messages", "Orders", "Reviews", "Support", "Notifications", "Console", "API docs"]),
    ],
)
def test_the_header_lists_each_roles_links_in_order(make_user, labels) -> None:  # type: ignore[no-untyped-def]
    """The apps register their links (``<app>/navigation.py``); the header shows them by role."""
    from core.navigation import nav_links_for

    assert [link.label for link in nav_links_for(make_user())] == labels


def test_logout_needs_post_and_ends_the_session() -> None:
    client = logged_in(BuyerFactory())

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("messages")).status_code == 302


def test_logged_in_user_visiting_login_is_sent_to_their_start_page() -> None:
    response = logged_in(BuyerFactory()).get(reverse("login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
