"""``/settings/notifications/`` (every signed-in user; a store's owner also for the store's members)
and ``/api/v1/me/notification-preferences/``."""

import pytest
from django.test import Client

from accounts.models import Role
from marketplace.models import SellerMembership
from notifications.models import KIND_GROUPS, NotificationPreference, NotificationSettings
from notifications.services.preferences import preferences_for_user
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory, SellerMembershipFactory
from tests.notifications.factories import NotificationPreferenceFactory

pytestmark = pytest.mark.django_db

URL = "/settings/notifications/"
API = "/api/v1/me/notification-preferences/"


def _logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _form(**changes: str) -> dict[str, str]:
    data = dict.fromkeys(KIND_GROUPS, "email")
    data.update(changes)
    return data


@pytest.fixture
def store():  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Acme")
    owner = SellerMemberFactory(username="owner", seller=seller)
    member = SellerMembershipFactory(
        seller=seller, user=UserFactory(username="member", role=Role.SELLER), role=SellerMembership.Role.MEMBER
    ).user
    other = SellerMemberFactory(username="other-owner")  # another store's owner
    return {"seller": seller, "owner": owner, "member": member, "other": other}


# --- the page ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_defaults_in_effect_and_saves() -> None:
    buyer = BuyerFactory()
    client = _logged_in(buyer)

    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="standing" value="in_app" id="pref-standing-in_app"\n                  checked' in html
    assert 'id="deadline_email_now" checked' in html
    assert html.count("Default for your role") == len(KIND_GROUPS)

    response = client.post(URL, _form(orders="digest", messages="in_app"))

    assert response.status_code == 302
    assert response["Location"] == URL
    assert preferences_for_user(buyer).as_dict()["orders"] == "digest"
    assert preferences_for_user(buyer).as_dict()["messages"] == "in_app"
    assert preferences_for_user(buyer).deadline_email_now is False  # the box was not sent: unticked
    followed = client.get(URL).content.decode()
    assert "Your notification settings are saved." in followed
    assert "Your choice" in followed


def test_a_bad_post_is_refused_and_nothing_changes() -> None:
    buyer = BuyerFactory()
    response = _logged_in(buyer).post(URL, _form(orders="fax"))
    assert response.status_code == 400
    assert b"Please choose one option" in response.content
    assert not NotificationPreference.objects.exists()


def test_the_owner_sees_the_members_settings_and_changes_them(store) -> None:
    NotificationPreferenceFactory(user=store["member"], group="reviews", delivery="in_app")
    client = _logged_in(store["owner"])

    page = client.get(URL).content.decode()
    assert "Your store's members" in page
    assert f"?member={store['member'].pk}" in page
    assert f"?member={store['other'].pk}" not in page

    member_page = client.get(f"{URL}?member={store['member'].pk}")
    assert member_page.status_code == 200
    member_html = member_page.content.decode()
    assert f"Notification settings of {store['member'].display_name}" in member_html
    assert "Their choice · default: email now" in member_html  # reviews: in-app, chosen by the member
    assert member_html.count("Default for their role") == len(KIND_GROUPS) - 1

    response = client.post(URL, {**_form(messages="digest"), "member": store["member"].pk, "deadline_email_now": "on"})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?member={store['member'].pk}"
    assert preferences_for_user(store["member"]).as_dict()["messages"] == "digest"
    chosen = NotificationPreference.objects.get(user=store["member"], group="messages")
    assert chosen.updated_by == store["owner"]
    assert not NotificationPreference.objects.filter(user=store["owner"]).exists()


def test_a_member_or_another_store_cannot_manage_anyone_else(store) -> None:
    for actor, target in ((store["member"], store["owner"]), (store["other"], store["member"])):
        client = _logged_in(actor)
        assert client.get(f"{URL}?member={target.pk}").status_code == 404
        assert client.post(URL, {**_form(messages="digest"), "member": target.pk}).status_code == 404
        assert b"Your store's members" not in client.get(URL).content
    assert _logged_in(store["owner"]).get(f"{URL}?member=abc").status_code == 404
    assert not NotificationPreference.objects.exists()


def test_the_page_costs_the_same_queries_with_one_or_many_members(store, django_assert_num_queries) -> None:
    client = _logged_in(store["owner"])
    client.get(URL)  # warm up (session, templates)
    # session, user, members, preferences, switches, and the header's nav/unread badge
    with django_assert_num_queries(7) as one:
        client.get(URL)
    for index in range(5):
        SellerMembershipFactory(seller=store["seller"], user=UserFactory(username=f"m{index}", role=Role.SELLER))
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(URL)
    assert page.content.decode().count("?member=") == 6


# --- the API -------------------------------------------------------------------------------------


def test_api_get_lists_every_group(client_for) -> None:
    seller = UserFactory(role=Role.SELLER)
    NotificationPreferenceFactory(user=seller, group="messages", delivery="digest")

    response = client_for(seller).get(API)

    assert response.status_code == 200
    assert response.json() == {
        "groups": {
            "messages": "digest",
            "reviews": "email",
            "tickets": "email",
            "surveys": "digest",
            "standing": "digest",
            "statements": "digest",
            "orders": "email",
            "integrations": "email",
        },
        "deadline_email_now": True,
        "defaults": {
            "messages": "email",
            "reviews": "email",
            "tickets": "email",
            "surveys": "digest",
            "standing": "digest",
            "statements": "digest",
            "orders": "email",
            "integrations": "email",
        },
    }


def test_api_put_is_a_partial_update(client_for) -> None:
    buyer = BuyerFactory()
    client = client_for(buyer)
    NotificationPreferenceFactory(user=buyer, group="reviews", delivery="digest")

    response = client.put(API, {"groups": {"orders": "in_app"}, "deadline_email_now": False}, format="json")

    assert response.status_code == 200
    assert response.json()["groups"]["orders"] == "in_app"
    assert response.json()["groups"]["reviews"] == "digest"  # untouched
    assert response.json()["deadline_email_now"] is False
    assert NotificationSettings.objects.get(user=buyer).deadline_email_now is False
    assert client.put(API, {"deadline_email_now": True}, format="json").json()["groups"]["orders"] == "in_app"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"groups": {"nonsense": "email"}},
            {"groups": {"nonsense": ["Unknown group; the groups are " + ", ".join(KIND_GROUPS) + "."]}},
        ),
        ({"groups": {"orders": "fax"}}, {"groups": {"orders": ['"fax" is not a valid choice.']}}),
        ({"groups": {"orders": {"deep": {"er": 1}}}}, None),
        ({"groups": ["orders"]}, None),
        ({"groups": "orders"}, None),
        ({"deadline_email_now": "maybe"}, None),
        ({"colour": "blue"}, {"colour": ["Unknown field."]}),
        (["orders"], None),
    ],
)
def test_api_put_refuses_bad_input_and_changes_nothing(client_for, body, error) -> None:
    buyer = BuyerFactory()
    response = client_for(buyer).put(API, body, format="json")
    assert response.status_code == 400
    if error is not None:
        assert response.json() == error
    assert not NotificationPreference.objects.exists()
    assert not NotificationSettings.objects.exists()


def test_api_anonymous_is_401(api_client) -> None:
    assert api_client.get(API).status_code == 401
    assert api_client.put(API, {}, format="json").status_code == 401
