from decimal import Decimal

import pytest

from accounts.models import Role
from marketplace.models import Product, Seller
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import ProductFactory, SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db

SELLERS = "/api/v1/sellers/"
PRODUCTS = "/api/v1/products/"


# --- sellers ------------------------------------------------------------------------------------


def test_any_logged_in_user_lists_sellers_with_their_active_product_count(client_for):
    seller = SellerFactory(name="Alpha", slug="alpha", email="alpha@stores.example.com")
    ProductFactory.create_batch(2, seller=seller)
    ProductFactory(seller=seller, is_active=False)
    SellerFactory(name="Beta", slug="beta")

    response = client_for(UserFactory()).get(SELLERS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["name"], row["product_count"]) for row in rows] == [("Alpha", 2), ("Beta", 0)]
    assert set(rows[0]) == {"id", "name", "slug", "email", "is_active", "product_count", "created_at"}
    assert rows[0]["email"] == "alpha@stores.example.com"


def test_sellers_filter_by_name_and_active(client_for):
    SellerFactory(name="Green Grocer", slug="green")
    SellerFactory(name="Blue Books", slug="blue", is_active=False)
    client = client_for(UserFactory())

    assert [row["slug"] for row in client.get(SELLERS, {"name": "grocer"}).json()["results"]] == ["green"]
    assert [row["slug"] for row in client.get(SELLERS, {"is_active": "false"}).json()["results"]] == ["blue"]


def test_seller_detail(client_for):
    seller = SellerFactory(name="Alpha", slug="alpha")
    ProductFactory(seller=seller)

    response = client_for(UserFactory()).get(f"{SELLERS}{seller.pk}/")

    assert response.status_code == 200
    assert response.json()["product_count"] == 1
    assert response.json()["id"] == seller.pk


def test_unknown_seller_is_404(client_for):
    client = client_for(UserFactory())

    assert client.get(f"{SELLERS}424242/").status_code == 404
    assert client.get(f"{SELLERS}99999999999999999999999999/").status_code == 404


def test_sellers_need_credentials(api_client):
    seller = SellerFactory()

    assert api_client.get(SELLERS).status_code == 401
    assert api_client.get(f"{SELLERS}{seller.pk}/").status_code == 401


@pytest.mark.parametrize("page_size", [5, 50])
def test_seller_list_query_count_does_not_depend_on_page_size(client_for, django_assert_num_queries, page_size):
    for seller in SellerFactory.create_batch(12):
        ProductFactory(seller=seller)
    client = client_for(UserFactory())

    with django_assert_num_queries(3):  # token+user, count, page with the product counts
        response = client.get(SELLERS, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 12)


def test_integration_creates_a_seller(client_for, integration_user):
    response = client_for(integration_user).post(SELLERS, {"name": "New Store", "email": "hi@new.example"})

    assert response.status_code == 201
    seller = Seller.objects.get()
    assert response.json() == {
        "id": seller.pk,
        "name": "New Store",
        "slug": "new-store",
        "email": "hi@new.example",
        "is_active": True,
        "product_count": 0,
        "created_at": response.json()["created_at"],
    }


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 201}, {"name": "a\x00b"}, {"name": "Ok", "email": "no"}]
)
def test_bad_seller_input_is_400_and_writes_nothing(client_for, integration_user, body):
    response = client_for(integration_user).post(SELLERS, body, format="json")

    assert response.status_code == 400
    assert Seller.objects.count() == 0


@pytest.mark.parametrize("role", [Role.BUYER, Role.SUPPORT, Role.FINANCE])
def test_only_integration_and_admins_create_sellers(client_for, role):
    response = client_for(UserFactory(role=role)).post(SELLERS, {"name": "New Store"})

    assert response.status_code == 403
    assert Seller.objects.count() == 0


# --- products -----------------------------------------------------------------------------------


def _product_body(store: Seller, **overrides):
    body = {"seller": store.pk, "name": "Enamel mug", "sku": "MUG-01", "price": "12.50", "currency": "USD"}
    body.update(overrides)
    return body


def test_a_seller_member_adds_a_product_to_their_store(client_for):
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)

    response = client_for(member).post(PRODUCTS, _product_body(seller, description="Holds 300 ml"))

    assert response.status_code == 201
    product = Product.objects.get()
    assert response.json() == {
        "id": product.pk,
        "seller": seller.pk,
        "name": "Enamel mug",
        "sku": "MUG-01",
        "description": "Holds 300 ml",
        "price": "12.50",
        "currency": "USD",
        "is_active": True,
        "created_at": response.json()["created_at"],
    }
    assert product.price == Decimal("12.50")


def test_integration_adds_a_product_to_any_seller(client_for, integration_user):
    seller = SellerFactory()

    response = client_for(integration_user).post(PRODUCTS, _product_body(seller))

    assert response.status_code == 201
    assert Product.objects.get().seller == seller


def test_another_sellers_id_is_400_as_if_it_did_not_exist(client_for):
    member = SellerMemberFactory()
    other = SellerFactory()

    response = client_for(member).post(PRODUCTS, _product_body(other))

    assert response.status_code == 400
    assert response.json()["seller"] == [f'Invalid pk "{other.pk}" - object does not exist.']
    assert Product.objects.count() == 0


def test_duplicate_sku_within_a_seller_is_400(client_for):
    seller = SellerFactory()
    ProductFactory(seller=seller, sku="MUG-01")

    response = client_for(SellerMemberFactory(seller=seller)).post(PRODUCTS, _product_body(seller))

    assert response.status_code == 400
    assert "sku" in response.json()
    assert Product.objects.count() == 1


def test_the_same_sku_may_exist_at_two_sellers(client_for):
    ProductFactory(sku="MUG-01")
    seller = SellerFactory()

    response = client_for(SellerMemberFactory(seller=seller)).post(PRODUCTS, _product_body(seller))

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "-1.00"}, "price"),
        ({"price": "1.001"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "Infinity"}, "price"),
        ({"price": "1e400"}, "price"),
        ({"price": "1000000000.01"}, "price"),
        ({"price": [1]}, "price"),
        ({"currency": "BTC"}, "currency"),
        ({"sku": ""}, "sku"),
        ({"sku": "x" * 65}, "sku"),
        ({"name": "mug\x00"}, "name"),
        ({"seller": "abc"}, "seller"),
        ({"seller": 1.5}, "seller"),
        ({"seller": True}, "seller"),
        ({"seller": 10**30}, "seller"),
        ({"seller": None}, "seller"),
    ],
)
def test_bad_product_input_is_400_and_writes_nothing(client_for, integration_user, overrides, field):
    seller = SellerFactory()

    response = client_for(integration_user).post(PRODUCTS, _product_body(seller, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Product.objects.count() == 0


def test_price_may_be_the_maximum_amount(client_for, integration_user):
    seller = SellerFactory()

    response = client_for(integration_user).post(PRODUCTS, _product_body(seller, price="1000000000.00"))

    assert response.status_code == 201
    assert response.json()["price"] == "1000000000.00"


@pytest.mark.parametrize("role", [Role.BUYER, Role.SUPPORT, Role.MODERATOR, Role.FINANCE])
def test_users_without_a_store_or_permission_may_not_add_products(client_for, role):
    seller = SellerFactory()

    response = client_for(UserFactory(role=role)).post(PRODUCTS, _product_body(seller))

    assert response.status_code == 403
    assert Product.objects.count() == 0


def test_product_create_without_credentials_is_401(api_client):
    seller = SellerFactory()

    assert api_client.post(PRODUCTS, _product_body(seller)).status_code == 401


def test_products_filter_search_and_order(client_for):
    seller = SellerFactory()
    cheap = ProductFactory(seller=seller, name="Blue mug", price=Decimal("5.00"))
    dear = ProductFactory(seller=seller, name="Red teapot", price=Decimal("50.00"), currency="EUR")
    ProductFactory(name="Green mug", price=Decimal("7.00"), is_active=False)
    client = client_for(UserFactory())

    def ids(**params):
        return [row["id"] for row in client.get(PRODUCTS, params).json()["results"]]

    assert ids(seller=seller.pk, ordering="-price") == [dear.pk, cheap.pk]
    assert ids(currency="EUR") == [dear.pk]
    assert ids(search="blue") == [cheap.pk]
    assert len(ids(search="mug")) == 2
    assert ids(is_active="true", ordering="price") == [cheap.pk, dear.pk]
    assert ids(sku=cheap.sku) == [cheap.pk]


@pytest.mark.parametrize(
    "params", [{"seller": "x"}, {"seller": "1.5"}, {"seller": "99999999999999999999999"}, {"currency": "BTC"}]
)
def test_bad_product_filters_are_400(client_for, params):
    response = client_for(UserFactory()).get(PRODUCTS, params)

    assert response.status_code == 400


def test_a_nul_byte_in_search_is_400(client_for):
    response = client_for(UserFactory()).get(PRODUCTS, {"search": "mug\x00"})

    assert response.status_code == 400
    assert "search" in response.json()


def test_product_detail_and_404(client_for):
    product = ProductFactory()
    client = client_for(UserFactory())

    assert client.get(f"{PRODUCTS}{product.pk}/").json()["sku"] == product.sku
    assert client.get(f"{PRODUCTS}{product.pk + 1000}/").status_code == 404


def test_products_need_credentials(api_client):
    assert api_client.get(PRODUCTS).status_code == 401


@pytest.mark.parametrize("page_size", [5, 50])
def test_product_list_query_count_does_not_depend_on_page_size(client_for, django_assert_num_queries, page_size):
    ProductFactory.create_batch(12)
    client = client_for(UserFactory())

    with django_assert_num_queries(3):  # token+user, count, page
        response = client.get(PRODUCTS, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 12)
