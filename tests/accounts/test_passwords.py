"""Password change and reset by email (Django's views on the site's pages), and Argon2."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.factories import PASSWORD, BuyerFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet-lantern-harbour-92"
ARGON2_FIRST = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_header_links_the_account_page_and_the_login_page_the_reset() -> None:
    user = BuyerFactory(username="emily")

    header = _logged_in(user).get("/accounts/").content.decode()
    login = Client().get("/accounts/login/").content.decode()

    assert 'href="/accounts/"' in header
    assert 'href="/accounts/password/change/"' in header
    assert 'href="/accounts/password/reset/">Forgot your password?</a>' in login
    assert 'href="/accounts/password/reset/"' in Client().get("/admin/login/").content.decode()


def test_a_user_changes_their_password_and_logs_in_with_it() -> None:
    user = BuyerFactory(username="emily")
    key = Token.objects.create(user=user).key
    client = _logged_in(user)

    page = client.get("/accounts/password/change/")
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert page.status_code == 200
    assert '<h1 id="auth-title">Change your password</h1>' in page.content.decode()
    assert response.redirect_chain == [("/accounts/password/change/done/", 302)]
    assert "Password changed" in response.content.decode()
    assert Client().login(username="emily", password=NEW_PASSWORD)
    assert not Client().login(username="emily", password=PASSWORD)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/users/me/").status_code == 401  # the old password's token is revoked


def test_a_wrong_current_password_is_refused_next_to_the_field() -> None:
    client = _logged_in(BuyerFactory(username="emily"))

    response = client.post(
        "/accounts/password/change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert Client().login(username="emily", password=PASSWORD)


def test_password_change_needs_a_login() -> None:
    response = Client().get("/accounts/password/change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@override_settings(SITE_URL="https://desk.saypro.example")
def test_password_reset_by_email_end_to_end() -> None:
    key = Token.objects.create(user=BuyerFactory(username="emily", email="emily@example.com")).key
    client = Client()

    asked = client.post("/accounts/password/reset/", {"email": "emily@example.com"}, follow=True)

    assert asked.redirect_chain == [("/accounts/password/reset/sent/", 302)]
    assert "Check your email" in asked.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["emily@example.com"]
    assert message.subject == "Reset your SayPro Interaction Desk password"
    link = re.search(r"https://desk\.saypro\.example(/accounts/password/reset/\S+/)", message.body)
    assert link is not None, message.body

    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert done.redirect_chain[-1] == ("/accounts/password/reset/complete/", 302)
    assert "Your new password is set" in done.content.decode()
    logged_in = Client().post("/accounts/login/", {"username": "emily", "password": NEW_PASSWORD})
    assert logged_in.status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/users/me/").status_code == 401  # the old password's token is revoked
    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_the_reset_link_ignores_the_requests_host_header() -> None:
    BuyerFactory(username="emily", email="emily@example.com")

    Client().post("/accounts/password/reset/", {"email": "emily@example.com"}, HTTP_HOST="localhost")

    assert "http://127.0.0.1:8000/accounts/password/reset/" in mail.outbox[0].body


def test_an_unknown_address_sends_nothing_and_says_the_same() -> None:
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)

    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_a_forged_reset_link_is_refused() -> None:
    response = Client().get("/accounts/password/reset/MQ/forged-token/")

    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


@override_settings(PASSWORD_HASHERS=ARGON2_FIRST)
def test_new_passwords_are_hashed_with_argon2() -> None:
    user = BuyerFactory(username="emily")

    assert user.password.startswith("argon2$")


@override_settings(PASSWORD_HASHERS=ARGON2_FIRST)
def test_an_older_hash_is_upgraded_to_argon2_at_login() -> None:
    user = BuyerFactory(username="emily")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))

    response = Client().post("/accounts/login/", {"username": "emily", "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_the_production_settings_put_argon2_first() -> None:
    import saypro.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@override_settings(ACCOUNTS_PASSWORD_RESETS_PER_ADDRESS=3, ACCOUNTS_PASSWORD_RESETS_PER_CLIENT=1000)
def test_an_address_gets_a_limited_number_of_reset_emails() -> None:
    BuyerFactory(username="emily", email="emily@example.com")

    pages = [
        Client().post("/accounts/password/reset/", {"email": "emily@example.com"}, REMOTE_ADDR=f"198.51.100.{n}")
        for n in range(5)
    ]

    assert [page.status_code for page in pages] == [302] * 5  # the same answer every time
    assert len(mail.outbox) == 3


@override_settings(ACCOUNTS_PASSWORD_RESETS_PER_CLIENT=4)
def test_a_client_asking_for_many_resets_is_refused_with_the_time() -> None:
    client = Client()
    statuses = [
        client.post(
            "/accounts/password/reset/", {"email": f"someone{n}@example.com"}, HTTP_X_FORWARDED_FOR=f"10.9.{n}.1"
        ).status_code
        for n in range(6)
    ]

    refused = client.post("/accounts/password/reset/", {"email": "other@example.com"})

    assert statuses == [302, 302, 302, 302, 429, 429]
    assert refused.status_code == 429
    assert "Too many password reset requests. Try again in 60 minutes" in refused.content.decode()
