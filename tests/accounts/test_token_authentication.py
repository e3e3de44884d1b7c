"""The written-out token lookup (accounts.authentication) behaves as DRF's own, in one statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory

from accounts.authentication import ExpiringTokenAuthentication as TokenAuthentication
from accounts.models import Role
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/orders/"


def _authenticate(header: str):  # type: ignore[no-untyped-def]
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=header)
    return TokenAuthentication().authenticate(request)


def test_a_token_gives_its_user_and_the_token_in_one_statement():
    user = UserFactory(role=Role.SUPPORT)
    token = Token.objects.create(user=user)

    with CaptureQueriesContext(connection) as queries:
        found_user, found_token = _authenticate(f"Token {token.key}")

    assert len(queries.captured_queries) == 1
    assert found_user == user
    assert (found_user.username, found_user.role, found_user.is_active) == (user.username, "support", True)
    assert found_token.key == token.key
    assert found_token.user is found_user
    assert found_token.created == token.created  # loaded when asked for


def test_an_unknown_token_and_an_inactive_user_are_refused_with_drfs_messages(api_client):
    inactive = UserFactory(is_active=False)
    token = Token.objects.create(user=inactive)

    unknown = api_client.get(ME, HTTP_AUTHORIZATION="Token " + "0" * 40)
    refused = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {token.key}")

    assert (unknown.status_code, unknown.json()["detail"]) == (401, "Invalid token.")
    assert (refused.status_code, refused.json()["detail"]) == (401, "User inactive or deleted.")


def test_a_request_with_a_token_sees_as_its_user(client_for):
    buyer = UserFactory()

    response = client_for(buyer).get(ME)

    assert response.status_code == 200
    assert response.json()["count"] == 0
