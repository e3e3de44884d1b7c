"""Fixtures shared by every app's tests."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role, User


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Throttle counts and login-failure counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(db):  # type: ignore[no-untyped-def]
    """``client_for(user)`` → an APIClient authenticated with the user's token."""

    def make(user: User) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def staff_user(db):  # type: ignore[no-untyped-def]
    from tests.accounts.factories import UserFactory

    return UserFactory(username="support1", role=Role.SUPPORT)


@pytest.fixture
def finance_user(db):  # type: ignore[no-untyped-def]
    from tests.accounts.factories import UserFactory

    return UserFactory(username="finance1", role=Role.FINANCE)


@pytest.fixture
def integration_user(db):  # type: ignore[no-untyped-def]
    from tests.accounts.factories import UserFactory

    return UserFactory(username="integration1", role=Role.INTEGRATION)


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    from tests.accounts.factories import AdminFactory

    return AdminFactory(username="admin1")
