"""One id rule (core.ids): ASCII digits from 1 to bigint's maximum, in paths (404), query
parameters (400 naming the parameter, at the API and on the pages) and forms."""

import pytest
from django.test import Client
from rest_framework import serializers

from accounts.models import User
from core.api.fields import IdField
from core.ids import MAX_ID, IdConverter, parse_id
from tests.accounts.factories import AdminFactory, BuyerFactory
from tests.inquiries.factories import SellerStandingFactory
from tests.marketplace.factories import OrderFactory, SellerFactory

# Superscript two, Arabic-Indic one, full-width one, a Devanagari digit: "digits" to str.isdigit or int.
UNICODE_DIGITS = ["²", "١", "１", "५"]  # noqa: RUF001


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(MAX_ID), MAX_ID),
        (7, 7),
        ("0", None),
        (str(MAX_ID + 1), None),
        ("9" * 40, None),
        ("-1", None),
        ("1.5", None),
        (" 1", None),
        ("1\n", None),
        ("", None),
        (None, None),
        (True, None),
        (1.0, None),
        *[(digit, None) for digit in UNICODE_DIGITS],
        ("1²", None),
    ],
)
def test_parse_id_accepts_only_ascii_digits_in_range(value, expected) -> None:
    assert parse_id(value) == expected


def test_the_converter_refuses_what_parse_id_refuses() -> None:
    converter = IdConverter()
    assert converter.to_python("12") == 12
    for value in ("0", str(MAX_ID + 1)):
        with pytest.raises(ValueError):
            converter.to_python(value)


@pytest.fixture
def admin(db) -> User:  # type: ignore[no-untyped-def]
    return AdminFactory(username="ids-admin")


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/sellers/{}/standing/"),
        ("get", "/api/v1/sellers/{}/response-metrics/"),
        ("get", "/api/v1/sellers/{}/response-metrics/inquiries.csv"),
        ("get", "/api/v1/sellers/{}/review-metrics/"),
        ("post", "/api/v1/standings/{}/override/"),
        ("get", "/api/v1/sellers/{}/"),
        ("get", "/api/v1/orders/{}/"),
        ("get", "/api/v1/payments/{}/"),
        ("get", "/api/v1/notifications/{}/"),
        ("post", "/api/v1/conversations/{}/close/"),
    ],
)
def test_a_path_id_in_other_digits_is_the_apis_json_404(admin, client_for, method, path, digit) -> None:
    response = getattr(client_for(admin), method)(path.format(digit), {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_the_routes_still_take_real_ids(admin, client_for) -> None:
    seller = SellerFactory()
    standing = SellerStandingFactory(seller=seller)
    client = client_for(admin)
    assert client.get(f"/api/v1/sellers/{seller.pk}/standing/").status_code == 200
    assert client.get(f"/api/v1/sellers/{seller.pk}/review-metrics/").status_code == 200
    response = client.post(f"/api/v1/standings/{standing.pk}/override/", {}, format="json")
    assert response.status_code == 400  # the id was read: the body is what is missing
    assert client.get(f"/api/v1/sellers/{MAX_ID}/").status_code == 404
    assert client.get(f"/api/v1/sellers/{MAX_ID + 1}/").status_code == 404


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_a_query_id_in_other_digits_is_a_400_naming_the_parameter(admin, client_for, digit) -> None:
    SellerFactory()  # a seller 1 exists: "\u0661" must not be read as its id, as int() would
    client = client_for(admin)
    for path, name in [
        ("/api/v1/reviews/", "seller"),
        ("/api/v1/conversations/", "seller"),
        ("/api/v1/orders/", "buyer"),
    ]:
        response = client.get(path, {name: digit})
        assert response.status_code == 400, path
        assert list(response.json()) == [name]
    assert client.get("/api/v1/reviews/", {"seller": "1"}).status_code == 200


def _page(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/messages/new/", "seller"),
        ("/messages/new/", "order"),
        ("/reviews/new/", "order"),
        ("/reviews/cases/new/", "order"),
        ("/reviews/cases/new/", "review"),
    ],
)
def test_a_page_reading_an_id_from_the_query_answers_400_naming_it(db, path, name, digit) -> None:
    response = _page(BuyerFactory()).get(path, {name: digit})
    assert response.status_code == 400
    assert f"{name}: Enter a record" in response.content.decode()


def test_a_page_still_reads_a_real_order(db) -> None:
    buyer = BuyerFactory()
    order = OrderFactory(buyer=buyer)
    assert _page(buyer).get("/reviews/cases/new/", {"order": order.pk}).status_code == 200
    assert _page(buyer).get("/messages/new/", {"order": order.pk}).status_code == 200


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_the_console_review_metrics_names_the_seller_parameter(admin, digit) -> None:
    response = _page(admin).get("/admin/reviews/review/metrics/", {"seller": digit})
    assert response.status_code == 400
    assert "Seller: Choose a seller from the list" in response.content.decode()


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_a_page_path_id_in_other_digits_is_a_404(db, digit) -> None:
    client = _page(BuyerFactory())
    for path in ("/messages/{}/", "/reviews/{}/", "/reviews/cases/{}/", "/notifications/{}/read/"):
        assert client.get(path.format(digit)).status_code == 404


@pytest.mark.parametrize("value", ["1.0", "1.5", "²", "١", "１", "-1", "", True, 1.0])  # noqa: RUF001
def test_an_id_field_refuses_what_is_no_id(value) -> None:
    field = IdField()
    with pytest.raises(serializers.ValidationError):
        field.run_validation(value)


@pytest.mark.parametrize(("value", "expected"), [(7, 7), ("7", 7), (" 7 ", 7), (str(MAX_ID), MAX_ID)])
def test_an_id_field_takes_an_id_as_a_number_or_text(value, expected) -> None:
    assert IdField().run_validation(value) == expected


def test_an_id_field_says_when_an_id_is_out_of_range() -> None:
    for value in (0, MAX_ID + 1):
        with pytest.raises(serializers.ValidationError):
            IdField().run_validation(value)
