"""API tokens expire (API_TOKEN_TTL) and can be revoked from the user's own page and the console."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD, AdminFactory, BuyerFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/users/me/"


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_is_refused_once_expired() -> None:
    UserFactory(username="alice")
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        key = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).json()["token"]
    client = _token_client(key)

    with time_machine.travel(issued + settings.API_TOKEN_TTL - timedelta(seconds=1), tick=False):
        assert client.get(ME_URL).status_code == 200
    with time_machine.travel(issued + settings.API_TOKEN_TTL, tick=False):
        expired = client.get(ME_URL)

    assert expired.status_code == 401
    assert expired.json()["detail"] == "Token has expired: request a new one at /api/v1/auth/token/."
    assert expired["WWW-Authenticate"] == "Token"


def test_asking_again_after_expiry_issues_a_new_token() -> None:
    UserFactory(username="alice")
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        old = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).json()["token"]
    later = issued + settings.API_TOKEN_TTL + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        response = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD})
        new = response.json()["token"]
        assert _token_client(new).get(ME_URL).status_code == 200
        assert _token_client(old).get(ME_URL).status_code == 401

    assert new != old
    assert Token.objects.count() == 1
    assert response.json()["expires_at"].startswith((later + settings.API_TOKEN_TTL).strftime("%Y-%m-%dT%H:%M"))


def test_the_user_revokes_their_token_from_their_account_page() -> None:
    user = BuyerFactory(username="emily")
    key = Token.objects.create(user=user).key
    page = Client()
    page.force_login(user)

    listed = page.get("/accounts/")
    response = page.post("/accounts/token/revoke/", follow=True)

    assert listed.status_code == 200
    assert f"<code>{key[:6]}…</code>" in listed.content.decode()
    assert "Active" in listed.content.decode()
    assert "Your API token was revoked" in response.content.decode()
    assert "You have no API token" in response.content.decode()
    assert _token_client(key).get(ME_URL).status_code == 401


def test_revoking_answers_only_post_and_only_the_users_own_token() -> None:
    user = BuyerFactory(username="emily")
    other_key = Token.objects.create(user=BuyerFactory(username="oscar")).key
    page = Client()
    page.force_login(user)

    assert page.get("/accounts/token/revoke/").status_code == 405
    page.post("/accounts/token/revoke/")

    assert _token_client(other_key).get(ME_URL).status_code == 200


def test_the_account_page_needs_a_login() -> None:
    response = Client().get("/accounts/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/"


def test_an_admin_revokes_tokens_in_the_console() -> None:
    alice_key = Token.objects.create(user=UserFactory(username="alice", first_name="Alice", last_name="Ng")).key
    bob_key = Token.objects.create(user=UserFactory(username="bob", first_name="Bob", last_name="Osei")).key
    console = Client()
    console.force_login(AdminFactory())

    listing = console.get("/admin/authtoken/tokenproxy/")
    response = console.post(
        "/admin/authtoken/tokenproxy/",
        {"action": "revoke", "_selected_action": [alice_key]},
        follow=True,
    )

    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Alice Ng" in html and "Bob Osei" in html and "active" in html
    assert response.status_code == 200
    assert "Revoked: 1" in response.content.decode()
    assert _token_client(alice_key).get(ME_URL).status_code == 401
    assert _token_client(bob_key).get(ME_URL).status_code == 200


def test_the_console_cannot_mint_tokens() -> None:
    console = Client()
    console.force_login(AdminFactory())

    assert console.get("/admin/authtoken/tokenproxy/add/").status_code == 403


def test_support_staff_do_not_see_the_tokens_page(staff_user) -> None:  # type: ignore[no-untyped-def]
    console = Client()
    console.force_login(staff_user)

    assert console.get("/admin/authtoken/tokenproxy/").status_code == 403


def test_the_consoles_token_list_costs_the_same_for_one_token_or_many(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    console = Client()
    console.force_login(AdminFactory())
    Token.objects.create(user=UserFactory())
    console.get("/admin/authtoken/tokenproxy/")  # warm the content types and the session
    with django_assert_num_queries(5) as one:
        console.get("/admin/authtoken/tokenproxy/")
    for _ in range(5):
        Token.objects.create(user=UserFactory())

    with django_assert_num_queries(len(one.captured_queries)):
        response = console.get("/admin/authtoken/tokenproxy/")

    assert response.status_code == 200
