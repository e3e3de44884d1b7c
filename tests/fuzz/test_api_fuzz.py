"""Gate 2: fuzz the whole API against its own OpenAPI schema (schemathesis, in-process WSGI).

Every operation in /api/schema/ is called with generated input, authenticated as a staff user and
as a buyer, against a small realistic database: no response may be a 5xx, and every response must
conform to the schema (documented status code, content type and body shape). Hypothesis runs
derandomized (a fixed seed) with a bounded number of examples per operation.
"""

from collections.abc import Iterator
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (  # type: ignore[attr-defined]
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory

EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_world(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A small marketplace the fuzzer can reach: ids 1..n exist, so generated ids hit real records."""
    sellers = [SellerFactory(), SellerFactory()]
    for seller in sellers:
        SellerMemberFactory(seller=seller)
        ProductFactory.create_batch(3, seller=seller, price=Decimal("12.50"))
    buyer = UserFactory(username="fuzz-buyer", role=Role.BUYER)
    for seller in sellers:
        OrderFactory.create_batch(2, buyer=buyer, seller=seller)
    staff = UserFactory(username="fuzz-admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    return {
        "staff": Token.objects.create(user=staff).key,
        "buyer": Token.objects.create(user=buyer).key,
    }


@pytest.fixture
def api_schema(fuzz_world: dict[str, str]) -> Iterator[schemathesis.BaseSchema]:
    from saypro.wsgi import application

    # In-process WSGI would close the test's database connection at the end of every request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.fuzz
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_staff_never_fails_and_conforms_to_its_schema(case, fuzz_world: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_world['staff']}"}, checks=CHECKS)


@pytest.mark.fuzz
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_buyer_never_fails_and_conforms_to_its_schema(case, fuzz_world: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_world['buyer']}"}, checks=CHECKS)
