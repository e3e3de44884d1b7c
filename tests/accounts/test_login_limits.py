"""Brute force: every login surface (the site's login page, the console's, the API token endpoint)
counts failed logins per account and per client, and identifies the client by REMOTE_ADDR (or the
trusted proxies' X-Forwarded-For entry), never by what the client writes into the header."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from tests.accounts.factories import PASSWORD, AdminFactory, BuyerFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
LIMITS_OFF = {"ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT": 10_000, "ACCOUNTS_LOGIN_FAILURES_PER_CLIENT": 10_000}


def _rest_framework(**rates: str) -> dict:
    return {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "token": "100000/minute", **rates},
    }


def _spoofed(n: int) -> dict[str, str]:
    return {"HTTP_X_FORWARDED_FOR": f"10.9.{n}.1"}


# --- The API token endpoint's rate limit ------------------------------------------------------


@override_settings(**LIMITS_OFF)
def test_rotating_x_forwarded_for_does_not_escape_the_token_rate_limit() -> None:
    UserFactory(username="alice")
    client = APIClient()
    with override_settings(REST_FRAMEWORK=_rest_framework(token="10/minute")):
        statuses = [
            client.post(TOKEN_URL, {"username": "alice", "password": f"guess-{n}"}, **_spoofed(n)).status_code
            for n in range(30)
        ]
        right = client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, **_spoofed(99))

    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}
    assert right.status_code == 429
    assert not Token.objects.exists()


@override_settings(**LIMITS_OFF, TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_proxys_entry_is_the_client() -> None:
    """The proxy appends the real peer; whatever the client put before it is ignored."""
    UserFactory(username="alice")
    client = APIClient()
    with override_settings(REST_FRAMEWORK=_rest_framework(token="3/minute")):
        same_client = [
            client.post(
                TOKEN_URL,
                {"username": "alice", "password": "wrong"},
                HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, 203.0.113.7",
            ).status_code
            for n in range(4)
        ]
        other_client = client.post(
            TOKEN_URL, {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.8"
        )

    assert same_client == [400, 400, 400, 429]
    assert other_client.status_code == 200


# --- Failed-login limits: the API ----------------------------------------------------------------


def test_token_endpoint_locks_the_account_after_repeated_failures() -> None:
    UserFactory(username="alice")
    client = APIClient()
    limit = settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT

    statuses = [
        client.post(TOKEN_URL, {"username": "alice", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(limit)
    ]
    right = client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="198.51.100.200")

    assert statuses == [400] * limit
    assert right.status_code == 429
    body = right.json()
    assert "Too many failed logins. Try again in 15 minutes" in body["detail"]
    assert int(right["Retry-After"]) == int(settings.ACCOUNTS_LOGIN_LOCKOUT.total_seconds())
    assert not Token.objects.exists()


def test_lockout_ends_after_the_lockout_time() -> None:
    UserFactory(username="alice")
    client = APIClient()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT):
            client.post(TOKEN_URL, {"username": "alice", "password": "wrong"})
        assert client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).status_code == 429
    with time_machine.travel(start + settings.ACCOUNTS_LOGIN_LOCKOUT + timedelta(seconds=1), tick=False):
        assert client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).status_code == 200


def test_a_successful_login_clears_the_accounts_failures() -> None:
    UserFactory(username="alice")
    client = APIClient()
    limit = settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT
    for _ in range(limit - 1):
        client.post(TOKEN_URL, {"username": "alice", "password": "wrong"})
    assert client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).status_code == 200

    statuses = [
        client.post(TOKEN_URL, {"username": "alice", "password": "wrong"}).status_code for _ in range(limit - 1)
    ]

    assert statuses == [400] * (limit - 1)
    assert client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).status_code == 200


@override_settings(ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT=10_000, ACCOUNTS_LOGIN_FAILURES_PER_CLIENT=6)
def test_one_client_guessing_many_accounts_is_locked_out_of_all_of_them() -> None:
    UserFactory(username="victim")
    client = APIClient()
    statuses = [
        client.post(TOKEN_URL, {"username": f"user{n}", "password": "wrong"}, **_spoofed(n)).status_code
        for n in range(6)
    ]

    from_attacker = client.post(TOKEN_URL, {"username": "victim", "password": PASSWORD}, **_spoofed(50))
    from_elsewhere = client.post(TOKEN_URL, {"username": "victim", "password": PASSWORD}, REMOTE_ADDR="192.0.2.44")

    assert statuses == [400] * 6
    assert from_attacker.status_code == 429
    assert from_elsewhere.status_code == 200


# --- Failed-login limits: the login pages --------------------------------------------------------


def test_hammering_the_login_page_with_rotating_x_forwarded_for_locks_the_account() -> None:
    BuyerFactory(username="emily")
    client = Client()
    statuses = [
        client.post(LOGIN_URL, {"username": "emily", "password": f"guess-{n}"}, **_spoofed(n)).status_code
        for n in range(40)
    ]

    right = client.post(LOGIN_URL, {"username": "emily", "password": PASSWORD}, **_spoofed(99))

    limit = settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT
    assert statuses[:limit] == [200] * limit
    assert set(statuses[limit:]) == {429}
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    html = right.content.decode()
    assert "Too many failed logins. Try again in 15 minutes (after " in html
    assert "UTC)." in html


def test_hammering_the_console_login_locks_the_account_and_tells_its_owner(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    AdminFactory(username="boss", email="boss@saypro.example")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(ADMIN_LOGIN_URL, {"username": "boss", "password": f"guess-{n}"}, **_spoofed(n)).status_code
            for n in range(40)
        ]

    right = client.post(ADMIN_LOGIN_URL, {"username": "boss", "password": PASSWORD}, **_spoofed(99))

    assert set(statuses) == {200}
    assert right.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed logins. Try again in 15 minutes" in right.content.decode()
    assert client.get("/admin/").status_code == 302
    assert len(mail.outbox) == 1  # told once, when the lockout started, not on every attempt
    message = mail.outbox[0]
    assert message.to == ["boss@saypro.example"]
    assert message.subject == "Repeated failed logins on your SayPro account"
    assert "5 failed attempts to log in" in message.body
    assert "/accounts/password/change/" in message.body


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.MODERATOR])
def test_every_staff_role_is_told(role: Role, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    UserFactory(username="agent", role=role, email="agent@saypro.example")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT):
            Client().post(LOGIN_URL, {"username": "agent", "password": "wrong"})

    assert [message.to for message in mail.outbox] == [["agent@saypro.example"]]


def test_a_buyer_is_not_emailed_about_a_lockout(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    BuyerFactory(username="emily")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT):
            Client().post(LOGIN_URL, {"username": "emily", "password": "wrong"})

    assert mail.outbox == []


def test_failures_on_one_surface_count_on_the_others() -> None:
    """One count per account: guessing on the API locks the login page and the console too."""
    AdminFactory(username="boss")
    for _ in range(settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT):
        APIClient().post(TOKEN_URL, {"username": "boss", "password": "wrong"})

    page = Client().post(LOGIN_URL, {"username": "boss", "password": PASSWORD})
    console = Client().post(ADMIN_LOGIN_URL, {"username": "boss", "password": PASSWORD})
    direct = Client().login(username="boss", password=PASSWORD)  # any other caller of authenticate()

    assert page.status_code == 429
    assert "Too many failed logins" in console.content.decode()
    assert direct is False


def test_a_locked_account_does_not_lock_other_accounts() -> None:
    BuyerFactory(username="emily")
    BuyerFactory(username="oscar")
    for _ in range(settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT):
        Client().post(LOGIN_URL, {"username": "emily", "password": "wrong"}, REMOTE_ADDR="198.51.100.1")

    response = Client().post(LOGIN_URL, {"username": "oscar", "password": PASSWORD}, REMOTE_ADDR="198.51.100.2")

    assert response.status_code == 302
