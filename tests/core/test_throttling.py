"""Per-user API write limits (``core.api.throttling``): a flood from one account is cut off with a
429 and ``Retry-After``; reads, other users and machine accounts keep their own budgets."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from accounts.models import Role
from inquiries.models import Conversation
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CONVERSATIONS = "/api/v1/conversations/"
RATES = {
    "anon": "1000/minute",
    "token": "1000/minute",
    "write_burst": "5/minute",
    "write_sustained": "8/hour",
    "integration_write_burst": "50/minute",
    "integration_write_sustained": "1000/hour",
}


@pytest.fixture(autouse=True)
def _limits():  # type: ignore[no-untyped-def]
    cache.clear()
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}):
        yield
    cache.clear()


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _ask(client: Any, seller_id: int, index: int) -> Any:
    return client.post(CONVERSATIONS, {"seller": seller_id, "subject": f"Question {index}", "body": "Is it in stock?"})


def test_one_buyer_cannot_flood_a_seller_with_conversations(client_for, clock):
    """The finding: sixty conversations in ten seconds from one buyer to one seller."""
    buyer, seller = BuyerFactory(), SellerFactory()
    client = client_for(buyer)

    statuses = [_ask(client, seller.pk, index).status_code for index in range(60)]

    assert statuses == [201] * 5 + [429] * 55
    assert Conversation.objects.filter(buyer=buyer).count() == 5
    refused = _ask(client, seller.pk, 61)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("application/json")
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower() or "request" in refused.json()["detail"].lower()


def test_the_burst_window_reopens_but_the_hour_still_counts(client_for, clock):
    buyer, seller = BuyerFactory(), SellerFactory()
    client = client_for(buyer)
    assert [_ask(client, seller.pk, index).status_code for index in range(5)] == [201] * 5

    clock.shift(timedelta(seconds=61))
    statuses = [_ask(client, seller.pk, index).status_code for index in range(5, 10)]

    assert statuses == [201, 201, 201, 429, 429]  # 8 an hour
    assert int(_ask(client, seller.pk, 99).headers["Retry-After"]) > 60
    assert Conversation.objects.filter(buyer=buyer).count() == 8


def test_reads_are_not_counted_and_each_user_has_their_own_budget(client_for, clock):
    seller = SellerFactory()
    flooder, neighbour = client_for(BuyerFactory()), client_for(BuyerFactory())
    for index in range(6):
        _ask(flooder, seller.pk, index)

    assert _ask(flooder, seller.pk, 7).status_code == 429
    assert [flooder.get(CONVERSATIONS).status_code for _ in range(20)] == [200] * 20
    assert _ask(neighbour, seller.pk, 1).status_code == 201


def test_an_integration_client_has_the_machine_budget(client_for, clock):
    client = client_for(UserFactory(role=Role.INTEGRATION))
    body = {"name": "Store", "slug": "store"}

    statuses = [client.post("/api/v1/sellers/", {**body, "slug": f"store-{index}"}).status_code for index in range(12)]

    assert 429 not in statuses


def test_failed_writes_count_too(client_for, clock):
    """A script trying bodies until one passes is still one account's budget."""
    client = client_for(BuyerFactory())

    statuses = [client.post(CONVERSATIONS, {}).status_code for _ in range(6)]

    assert statuses == [400] * 5 + [429]
