import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.authtoken.models import Token

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def test_valid_credentials_return_the_users_token(api_client):
    user = UserFactory(username="alice")

    response = api_client.post(URL, {"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    token = Token.objects.get(user=user)
    assert response.json() == {
        "token": token.key,
        "expires_at": (token.created + settings.API_TOKEN_TTL).isoformat().replace("+00:00", "Z"),
    }


def test_the_same_token_is_returned_twice(api_client):
    UserFactory(username="alice")

    first = api_client.post(URL, {"username": "alice", "password": PASSWORD}).json()["token"]
    second = api_client.post(URL, {"username": "alice", "password": PASSWORD}).json()["token"]

    assert first == second
    assert Token.objects.count() == 1


def test_the_token_authenticates_api_calls(api_client):
    UserFactory(username="alice")
    token = api_client.post(URL, {"username": "alice", "password": PASSWORD}).json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/users/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_wrong_password_is_400_and_creates_no_token(api_client):
    UserFactory(username="alice")

    response = api_client.post(URL, {"username": "alice", "password": "wrong"})

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["Unable to log in with the username and password given."]
    assert Token.objects.count() == 0


def test_inactive_user_cannot_get_a_token(api_client):
    UserFactory(username="alice", is_active=False)

    response = api_client.post(URL, {"username": "alice", "password": PASSWORD})

    assert response.status_code == 400
    assert Token.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "username"),
        ({"username": "alice"}, "password"),
        ({"username": "ali\x00ce", "password": PASSWORD}, "username"),
        ({"username": ["alice"], "password": PASSWORD}, "username"),
        ({"username": "a" * 151, "password": PASSWORD}, "username"),
    ],
)
def test_missing_or_malformed_fields_are_named(api_client, body, field):
    UserFactory(username="alice")

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_malformed_json_is_400(api_client):
    response = api_client.post(URL, data=b"{not json", content_type="application/json")

    assert response.status_code == 400


def test_token_endpoint_is_throttled(api_client):
    UserFactory(username="alice")
    rates = {"anon": "1000/minute", "token": "3/minute"}
    with override_settings(REST_FRAMEWORK={**_rest_framework_settings(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [api_client.post(URL, {"username": "alice", "password": "wrong"}).status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]


def test_anon_rate_also_applies_to_the_token_endpoint(api_client):
    UserFactory(username="alice")
    rates = {"anon": "2/minute", "token": "1000/minute"}
    with override_settings(REST_FRAMEWORK={**_rest_framework_settings(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [api_client.post(URL, {"username": "alice", "password": PASSWORD}).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def _rest_framework_settings() -> dict:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)
