"""Input that used to be a 500 (or silently ignored) at the API's edge, answered in the API's terms:
deep JSON and lone surrogates (core.api.parsers), bodies over the size limit and NUL characters in
query strings (core.middleware), unknown filter and ordering parameters (core.api.filters)."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from core.api.parsers import json_depth
from tests.accounts.factories import AdminFactory, BuyerFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return AdminFactory(username="input-admin")


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


# --- JSON nesting ---------------------------------------------------------------------------------


def test_json_depth_counts_arrays_and_objects_but_not_brackets_in_strings() -> None:
    assert json_depth('{"a": [1, {"b": []}]}') == 4
    assert json_depth('{"a": "[[[[{{{{", "b": "\\"[["}') == 1
    assert json_depth("1") == 0


@pytest.mark.parametrize("depth", [40, 950, 100_000])
def test_deeply_nested_json_to_the_anonymous_token_endpoint_is_a_400(api_client, depth) -> None:
    response = api_client.post("/api/v1/auth/token/", nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested deeper than 32 levels."}


def test_deeply_nested_json_inside_a_real_field_is_a_400(client_for) -> None:
    buyer = BuyerFactory()
    seller = SellerFactory()
    body = f'{{"seller": {seller.pk}, "subject": "Hi", "body": {nested(950, chr(34) + "x" + chr(34))}}}'
    response = client_for(buyer).post("/api/v1/conversations/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.json()["detail"]


def test_json_at_the_depth_limit_is_parsed_and_validated_as_usual(api_client, settings) -> None:
    settings.API_JSON_MAX_DEPTH = 3
    within = '{"username": [["x"]], "password": "y"}'  # three levels
    response = api_client.post("/api/v1/auth/token/", within, content_type="application/json")
    assert response.status_code == 400
    assert "username" in response.json()  # the serializer's field error, not a parse error
    beyond = '{"username": [[["x"]]], "password": "y"}'
    response = api_client.post("/api/v1/auth/token/", beyond, content_type="application/json")
    assert response.json() == {"detail": "JSON parse error - nested deeper than 3 levels."}


# --- Lone surrogates --------------------------------------------------------------------------------

SURROGATE = "\\ud800"  # as JSON writes it: the escape, which json.loads turns into a lone surrogate


def _choice_cases(
    seller_pk: int, product_pk: int, buyer_pk: int, order_pk: int
) -> list[tuple[str, dict[str, object], str]]:
    """Eight endpoints, each with a choice field given a lone surrogate."""
    order = {
        "buyer": buyer_pk,
        "seller": seller_pk,
        "items": [{"product": product_pk, "quantity": 1, "unit_price": "1.00"}],
        "currency": "USD",
    }
    return [
        (
            "/api/v1/users/",
            {"username": "u1", "email": "u1@example.com", "password": "pw-123456789", "role": 0},
            "role",
        ),
        (
            "/api/v1/products/",
            {"seller": seller_pk, "name": "P", "sku": "S", "price": "1.00", "currency": 0},
            "currency",
        ),
        ("/api/v1/orders/", {**order, "currency": 0}, "currency"),
        ("/api/v1/orders/", {**order, "status": 0}, "status"),
        ("/api/v1/payments/", {"order": 1, "amount": "1.00", "method": 0, "status": "captured"}, "method"),
        ("/api/v1/payments/", {"order": 1, "amount": "1.00", "method": "card", "status": 0}, "status"),
        ("/api/v1/response-templates/", {"title": "T", "body": "B", "situation": 0}, "situation"),
        (f"/api/v1/orders/{order_pk}/status/", {"status": 0}, "status"),
    ]


def test_a_lone_surrogate_in_any_choice_field_is_a_400(admin, client_for) -> None:
    seller = SellerFactory()
    product = ProductFactory(seller=seller, price=Decimal("1.00"))
    buyer = BuyerFactory()
    order = OrderFactory(seller=seller, buyer=buyer)
    client = client_for(admin)
    for path, body, field in _choice_cases(seller.pk, product.pk, buyer.pk, order.pk):
        raw = json.dumps(body).replace(f'"{field}": 0', f'"{field}": "{SURROGATE}"')
        response = client.post(path, raw, content_type="application/json")
        assert response.status_code == 400, (path, field, response.content[:200])
        assert "lone surrogate" in response.json()["detail"]


def test_a_lone_surrogate_in_a_key_or_a_text_field_is_a_400_but_a_pair_is_text(client_for) -> None:
    buyer = BuyerFactory()
    seller = SellerFactory()
    client = client_for(buyer)
    for raw in (
        f'{{"seller": {seller.pk}, "subject": "Hi", "body": "a{SURROGATE}b"}}',
        f'{{"seller": {seller.pk}, "subject": "Hi", "body": "x", "{SURROGATE}": 1}}',
    ):
        response = client.post("/api/v1/conversations/", raw, content_type="application/json")
        assert response.status_code == 400
        assert "lone surrogate" in response.json()["detail"]
    pair = f'{{"seller": {seller.pk}, "subject": "Hi", "body": "Thanks \\ud83d\\ude00"}}'
    response = client.post("/api/v1/conversations/", pair, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["messages"][0]["body"] == "Thanks \U0001f600"


# --- Body size --------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_an_api_body_over_the_size_limit_is_a_json_413(client_for, settings, content_type) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    buyer = BuyerFactory()
    seller = SellerFactory()
    if content_type == "application/json":
        body = json.dumps({"seller": seller.pk, "subject": "Hi", "body": "x" * 1000})
    else:
        body = f"seller={seller.pk}&subject=Hi&body={'x' * 1000}"
    response = client_for(buyer).post("/api/v1/conversations/", body, content_type=content_type)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is larger than 1000 bytes.", "code": "request_too_large"}
    assert client_for(buyer).get("/api/v1/conversations/").json()["count"] == 0


def test_an_anonymous_api_body_over_the_size_limit_is_a_json_413(api_client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api_client.post("/api/v1/auth/token/", {"username": "x" * 200, "password": "y"}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_an_api_body_within_the_limit_is_served(client_for, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    buyer = BuyerFactory()
    seller = SellerFactory()
    body = {"seller": seller.pk, "subject": "Hi", "body": "x" * 500}
    assert client_for(buyer).post("/api/v1/conversations/", body, format="json").status_code == 201


# --- NUL in the query string ------------------------------------------------------------------------


def test_a_nul_in_an_api_query_parameter_is_a_400_naming_it(admin, client_for) -> None:
    client = client_for(admin)
    for query, name in (("status=%00", "status"), ("search=a%00b", "search"), ("a%00=1", "a\\x00")):
        response = client.get(f"/api/v1/reviews/?{query}")
        assert response.status_code == 400
        assert response.json() == {name: ["Null characters are not allowed."], "code": "null_characters_not_allowed"}


def test_a_nul_in_a_page_query_parameter_is_a_400_page_naming_it(admin) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/reviews/review/?status__exact=%00")
    assert response.status_code == 400
    assert "status__exact: Null characters are not allowed." in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"  # answered inside every other middleware


# --- Unknown filter and ordering parameters ---------------------------------------------------------


def _list_paths() -> list[str]:
    """Every API list route (a router's ``<basename>-list``), as a path."""
    paths: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif (pattern.name or "").endswith("-list"):
                paths.append("/" + prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted(paths)


LIST_PATHS = _list_paths()


def _concrete(path: str) -> str:
    """A nested list's path with its parent filled in (a webhook endpoint for its deliveries)."""
    if "<id:endpoint_pk>" in path:
        from tests.webhooks.factories import EndpointFactory

        return path.replace("<id:endpoint_pk>", str(EndpointFactory().pk))
    assert "<" not in path, f"fill in the parent record of {path}"
    return path


def test_every_list_is_found() -> None:
    assert len(LIST_PATHS) >= 16
    assert "/api/v1/conversations/" in LIST_PATHS
    assert "/api/v1/notifications/" in LIST_PATHS


@pytest.mark.parametrize("path", LIST_PATHS)
def test_an_unknown_query_parameter_on_a_list_is_a_400_naming_it(admin, client_for, path) -> None:
    response = client_for(admin).get(_concrete(path), {"stauts": "open", "page": 1})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["stauts"]
    assert body["stauts"][0].startswith("Unknown query parameter. This list reads: ")
    assert "page_size" in body["stauts"][0]


@pytest.mark.parametrize("path", LIST_PATHS)
def test_an_unknown_ordering_field_on_a_list_is_a_400_naming_it(admin, client_for, path) -> None:
    response = client_for(admin).get(_concrete(path), {"ordering": "-id,secret_field"})
    assert response.status_code == 400
    message = response.json()["ordering"][0]
    assert message.startswith("Unknown ordering field: secret_field. Use one of: ")


@pytest.mark.parametrize("path", LIST_PATHS)
def test_a_list_takes_its_documented_parameters(admin, client_for, path) -> None:
    response = client_for(admin).get(_concrete(path), {"page": 1, "page_size": 5, "format": "json", "ordering": "-id"})
    assert response.status_code == 200, response.content[:300]
    assert set(response.json()) == {"count", "next", "previous", "results"}


def test_a_lists_own_filters_and_search_are_known(admin, client_for) -> None:
    client = client_for(admin)
    assert client.get("/api/v1/conversations/", {"status": "awaiting_reply", "overdue": "true"}).status_code == 200
    assert client.get("/api/v1/products/", {"search": "mug"}).status_code == 200
    # A list without search: ?search= is unknown there.
    response = client.get("/api/v1/conversations/", {"search": "x"})
    assert response.status_code == 400
    assert list(response.json()) == ["search"]


def test_a_records_detail_ignores_the_query_string(admin, client_for) -> None:
    seller = SellerFactory()
    assert client_for(admin).get(f"/api/v1/sellers/{seller.pk}/", {"anything": "1"}).status_code == 200
