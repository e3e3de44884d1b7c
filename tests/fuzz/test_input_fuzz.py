"""Gate 2b: the inputs that once answered 500, sent to every documented operation (issue 10).

schemathesis (``test_api_fuzz.py``) generates values from the schema, so it rarely tries what
breaks code that trusts the schema: ids in other digits (``²``, Arabic-Indic), NUL and control characters,
lone surrogates (``"\\ud800"``), JSON nested ~950 deep. Here each operation of ``/api/schema/`` gets
those deliberately, in its path ids, each documented query parameter and each top-level body field,
as staff, as a buyer and anonymously. No answer may be a 5xx, and each is JSON.
"""

from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.inquiries.factories import ConversationFactory, ReplyTemplateFactory, SellerStandingFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory
from tests.marketplace.factories_billing import InvoiceFactory, PaymentFactory, ReceiptFactory
from tests.reviews.factories import ResponseTemplateFactory, ReviewCaseFactory, ReviewFactory

# Path ids: other digits, out of range, NUL and a line break (percent-encoded in the path).
PATH_IDS = ["²", "١", "１", "0", "9" * 25, "%00", "1%0A", "%F0%9F%98%80"]  # noqa: RUF001
# Query values: the same digits, NUL, control characters, a bidi override, an absurd length.
QUERY_VALUES = ["²", "١", "a\x00b", "\x01\x1f\x7f", "a\r\nb", "\u202e1", "x" * 5000]  # noqa: RUF001
# Body values, as JSON text: a lone surrogate (the escape), NUL, control characters, digits as text.
BODY_VALUES = ['"\\ud800"', '"a\\udfffb"', '"\\u0000"', '"a\\r\\nBcc: x"', '"\\u0007\\u001b"', '"²"', '"١"']  # noqa: RUF001
DEEP = "[" * 950 + "]" * 950


def _body_fields(operation: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else {}
    return sorted(component.get("properties", {}))


SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [
    (method, path, operation) for path, methods in SCHEMA["paths"].items() for method, operation in methods.items()
]


@pytest.fixture
def world(db) -> dict[str, APIClient]:  # type: ignore[no-untyped-def]
    """One of each record the operations act on, id 1 where the database starts afresh."""
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)
    product = ProductFactory(seller=seller, price=Decimal("12.50"))
    buyer = UserFactory(username="input-fuzz-buyer", role=Role.BUYER)
    order = OrderFactory(buyer=buyer, seller=seller)
    InvoiceFactory(order=order)
    ReceiptFactory(payment=PaymentFactory(order=order))
    ConversationFactory(buyer=buyer, seller=seller)
    ReplyTemplateFactory(seller=seller)
    SellerStandingFactory(seller=seller)
    review = ReviewFactory(product=product, buyer=buyer)
    ReviewCaseFactory(buyer=buyer, review=review)
    ResponseTemplateFactory(seller=seller)
    staff = UserFactory(username="input-fuzz-admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    clients = {"anonymous": APIClient()}
    for name, user in (("staff", staff), ("buyer", buyer), ("seller", member)):
        client = APIClient()
        client.force_authenticate(user)
        clients[name] = client
    for client in clients.values():
        client.raise_request_exception = False
    return clients


def _with_path_id(path: str, value: str) -> str:
    return path.replace("{id}", value)


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.content[:300]!r}"
    if response.status_code >= 400:  # every refusal in the API's JSON (a CSV export's 200 is CSV)
        assert response["Content-Type"] == "application/json", f"{what}: {response['Content-Type']}"


@pytest.mark.fuzz
@pytest.mark.parametrize("who", ["staff", "buyer", "seller", "anonymous"])
@pytest.mark.parametrize(
    ("method", "path", "operation"), OPERATIONS, ids=[f"{m.upper()} {p}" for m, p, _ in OPERATIONS]
)
def test_every_operation_answers_hostile_input_without_a_server_error(world, who, method, path, operation) -> None:
    client = world[who]
    call = getattr(client, method)
    real_path = _with_path_id(path, "1")
    label = f"{method.upper()} {path} as {who}"

    if "{id}" in path:
        for value in PATH_IDS:
            _check(call(_with_path_id(path, value)), f"{label} id={value!r}")

    query = [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"]
    for name in query:
        for value in QUERY_VALUES:
            _check(call(f"{real_path}?{quote(name)}={quote(value)}"), f"{label} ?{name}={value[:20]!r}")

    if method in ("post", "put", "patch"):
        response = call(real_path, DEEP, content_type="application/json")
        _check(response, f"{label} deep JSON")
        fields = _body_fields(operation, SCHEMA) or ["body"]
        for field in fields:
            for value in BODY_VALUES:
                raw = f'{{"{field}": {value}}}'
                _check(call(real_path, raw, content_type="application/json"), f"{label} {field}={value}")
        _check(call(real_path, '{"\\ud800": 1}', content_type="application/json"), f"{label} surrogate key")


@pytest.mark.fuzz
def test_deep_json_is_a_400_before_anything_else(world) -> None:
    response = world["anonymous"].post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than" in response.json()["detail"]
    response = world["staff"].post("/api/v1/users/", '{"role": "\\ud800"}', content_type="application/json")
    assert response.status_code == 400
    assert "lone surrogate" in response.json()["detail"]
