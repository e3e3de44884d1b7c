import pytest
from django.contrib.auth.models import Group

from accounts.models import Role, User
from marketplace.models import Seller, SellerMembership
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/"
GOOD_PASSWORD = "Pl4ntain-Harbour-91"


def _body(**overrides):
    body = {"username": "newbie", "email": "newbie@example.com", "password": GOOD_PASSWORD, "role": "buyer"}
    body.update(overrides)
    return body


# --- create -------------------------------------------------------------------------------------


def test_integration_creates_a_buyer(client_for, integration_user):
    response = client_for(integration_user).post(URL, _body())

    assert response.status_code == 201
    data = response.json()
    user = User.objects.get(username="newbie")
    assert data["id"] == user.pk
    assert data["username"] == "newbie"
    assert data["email"] == "newbie@example.com"
    assert data["role"] == "buyer"
    assert data["seller"] is None
    assert data["sellers"] == []
    assert "password" not in data
    assert "created_at" in data
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff
    assert list(user.groups.all()) == []


def test_creating_a_seller_creates_its_store_with_the_user_as_owner(client_for, integration_user):
    response = client_for(integration_user).post(URL, _body(role="seller", store_name="Acme Kitchen Goods"))

    assert response.status_code == 201
    seller = Seller.objects.get()
    assert seller.name == "Acme Kitchen Goods"
    assert seller.slug == "acme-kitchen-goods"
    assert seller.email == "newbie@example.com"
    membership = SellerMembership.objects.get()
    assert (membership.seller_id, membership.user.username, membership.role) == (seller.pk, "newbie", "owner")
    assert response.json()["seller"] == seller.pk
    assert response.json()["sellers"] == [
        {"id": seller.pk, "name": "Acme Kitchen Goods", "slug": "acme-kitchen-goods", "role": "owner"}
    ]


def test_store_slugs_are_made_unique(client_for, integration_user):
    SellerFactory(name="Acme", slug="acme")
    SellerFactory(name="Acme 2", slug="acme-2")

    response = client_for(integration_user).post(URL, _body(role="seller", store_name="Acme"))

    assert response.status_code == 201
    assert Seller.objects.get(pk=response.json()["seller"]).slug == "acme-3"


def test_a_store_name_without_latin_letters_still_gets_a_slug(client_for, integration_user):
    response = client_for(integration_user).post(URL, _body(role="seller", store_name="茶"))

    assert response.status_code == 201
    assert Seller.objects.get().slug == "store"


@pytest.mark.parametrize("role", ["support", "moderator", "finance"])
def test_staff_roles_join_their_group(client_for, admin_user, role):
    response = client_for(admin_user).post(URL, _body(role=role))

    assert response.status_code == 201
    user = User.objects.get(username="newbie")
    assert user.is_staff
    assert [group.name for group in user.groups.all()] == [role]


def test_admin_may_create_an_integration_account(client_for, admin_user):
    response = client_for(admin_user).post(URL, _body(role="integration"))

    assert response.status_code == 201
    user = User.objects.get(username="newbie")
    assert user.role == "integration"
    assert user.groups.filter(name="integration").exists()
    assert user.has_perm("marketplace.add_order")


@pytest.mark.parametrize("role", ["support", "moderator", "finance", "integration"])
def test_integration_may_not_create_a_staff_account(client_for, integration_user, role):
    """The exploit: a machine account made itself a moderator with a password it chose, which then
    logged into the console and hid reviews. Staff accounts are made by admins only."""
    users_before = User.objects.count()

    response = client_for(integration_user).post(URL, _body(role=role, store_name="Acme"))

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert User.objects.count() == users_before
    assert not Seller.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_integration_still_creates_buyers_and_sellers(client_for, integration_user, role):
    response = client_for(integration_user).post(URL, _body(role=role, store_name="Acme"))

    assert response.status_code == 201
    assert response.json()["role"] == role


def test_an_account_of_role_admin_creates_staff_roles(client_for):
    """``role=admin`` without the superuser flag, given ``accounts.add_user``: an admin too."""
    from django.contrib.auth.models import Permission

    admin = UserFactory(username="ops-admin", role=Role.ADMIN, is_staff=True)
    admin.user_permissions.add(Permission.objects.get(codename="add_user", content_type__app_label="accounts"))

    response = client_for(admin).post(URL, _body(role="moderator"))

    assert response.status_code == 201
    assert User.objects.get(username="newbie").groups.filter(name="moderator").exists()


@pytest.mark.parametrize("role", ["admin", "superuser", "", None])
def test_unknown_or_admin_roles_are_refused(client_for, admin_user, role):
    response = client_for(admin_user).post(URL, _body(role=role), format="json")

    assert response.status_code == 400
    assert "role" in response.json()
    assert not User.objects.filter(username="newbie").exists()


def test_seller_without_store_name_is_400_and_writes_nothing(client_for, integration_user):
    response = client_for(integration_user).post(URL, _body(role="seller", store_name="  "))

    assert response.status_code == 400
    assert "store_name" in response.json()
    assert not User.objects.filter(username="newbie").exists()
    assert Seller.objects.count() == 0


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "newbie2024"])
def test_weak_passwords_are_refused_by_djangos_validators(client_for, integration_user, password):
    response = client_for(integration_user).post(URL, _body(password=password))

    assert response.status_code == 400
    assert isinstance(response.json()["password"], list)
    assert response.json()["password"]
    assert not User.objects.filter(username="newbie").exists()


def test_duplicate_username_is_400(client_for, integration_user):
    UserFactory(username="Newbie")
    before = User.objects.count()

    response = client_for(integration_user).post(URL, _body(username="newbie"))

    assert response.status_code == 400
    assert response.json()["username"] == ["A user with that username already exists."]
    assert User.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": None}, "email"),
        ({"username": "has space"}, "username"),
        ({"username": "nul\x00byte"}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"store_name": "x" * 201, "role": "seller"}, "store_name"),
        ({"password": ["a", "b"]}, "password"),
    ],
)
def test_bad_fields_are_400_and_write_nothing(client_for, integration_user, overrides, field):
    before = User.objects.count()

    response = client_for(integration_user).post(URL, _body(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == before


def test_a_body_that_is_not_an_object_is_400(client_for, integration_user):
    response = client_for(integration_user).post(URL, [1, 2], format="json")

    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.BUYER, Role.SUPPORT, Role.FINANCE, Role.MODERATOR])
def test_other_roles_may_not_create_users(client_for, role):
    actor = UserFactory(role=role)

    response = client_for(actor).post(URL, _body())

    assert response.status_code == 403
    assert not User.objects.filter(username="newbie").exists()


def test_seller_members_may_not_create_users(client_for):
    response = client_for(SellerMemberFactory()).post(URL, _body())

    assert response.status_code == 403


def test_create_without_credentials_is_401(api_client):
    response = api_client.post(URL, _body())

    assert response.status_code == 401
    assert not User.objects.filter(username="newbie").exists()


# --- read ---------------------------------------------------------------------------------------


def test_staff_list_users_and_filter_by_role(client_for, staff_user):
    buyer = UserFactory(username="zed-buyer", role=Role.BUYER)
    SellerMemberFactory(username="zed-seller")

    response = client_for(staff_user).get(URL, {"role": "buyer"})

    assert response.status_code == 200
    assert [row["username"] for row in response.json()["results"]] == [buyer.username]


def test_staff_search_users_by_username_or_email(client_for, staff_user):
    UserFactory(username="carol", email="carol@shop.example")
    UserFactory(username="dave", email="dave@elsewhere.example")

    by_name = client_for(staff_user).get(URL, {"search": "caro"}).json()["results"]
    by_email = client_for(staff_user).get(URL, {"search": "elsewhere"}).json()["results"]

    assert [row["username"] for row in by_name] == ["carol"]
    assert [row["username"] for row in by_email] == ["dave"]


@pytest.mark.parametrize("params", [{"search": "a\x00b"}, {"role": "wizard"}])
def test_bad_list_parameters_are_400(client_for, staff_user, params):
    response = client_for(staff_user).get(URL, params)

    assert response.status_code == 400


def test_the_integration_client_lists_buyers_and_sellers_but_no_staff(client_for, integration_user, staff_user):
    """A machine account works with the accounts it may create; the staff's (names, emails) are not
    its business."""
    buyer = UserFactory(username="carol")
    seller = SellerMemberFactory(username="sam-seller")
    admin = UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = client_for(integration_user)

    listed = {row["username"] for row in client.get(URL, {"page_size": 50}).json()["results"]}

    assert listed == {"carol", "sam-seller", "integration1"}
    assert client.get(f"{URL}{staff_user.pk}/").status_code == 404
    assert client.get(f"{URL}{admin.pk}/").status_code == 404
    assert client.get(f"{URL}{buyer.pk}/").status_code == 200
    assert client.get(f"{URL}{seller.pk}/").json()["role"] == "seller"


def test_buyers_may_not_list_users(client_for):
    response = client_for(UserFactory()).get(URL)

    assert response.status_code == 403


def test_list_without_credentials_is_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("page_size", [5, 50])
def test_user_list_query_count_does_not_depend_on_page_size(
    client_for, staff_user, django_assert_num_queries, page_size
):
    for index in range(12):
        if index % 2:
            SellerMemberFactory()
        else:
            UserFactory()
    client = client_for(staff_user)

    # token+user, permissions (user, group), count, page, memberships, their sellers
    with django_assert_num_queries(7):
        response = client.get(URL, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, 13)


def test_staff_read_any_user(client_for, staff_user):
    member = SellerMemberFactory()

    response = client_for(staff_user).get(f"{URL}{member.pk}/")

    assert response.status_code == 200
    assert response.json()["seller"] == member.seller_memberships.get().seller_id


def test_a_buyer_reads_their_own_record_but_not_anothers(client_for):
    buyer = UserFactory()
    other = UserFactory()
    client = client_for(buyer)

    assert client.get(f"{URL}{buyer.pk}/").status_code == 200
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.get(f"{URL}99999999999999999999999/").status_code == 404


def test_me_shows_the_callers_sellers(client_for):
    seller = SellerFactory(name="Two Owls", slug="two-owls")
    member = SellerMemberFactory(seller=seller)
    second = SellerFactory(name="Zebra", slug="zebra")
    SellerMembership.objects.create(seller=second, user=member, role=SellerMembership.Role.MEMBER)

    response = client_for(member).get(f"{URL}me/")

    assert response.status_code == 200
    data = response.json()
    assert data["id"] == member.pk
    assert data["role"] == "seller"
    assert data["seller"] == seller.pk
    assert data["sellers"] == [
        {"id": seller.pk, "name": "Two Owls", "slug": "two-owls", "role": "owner"},
        {"id": second.pk, "name": "Zebra", "slug": "zebra", "role": "member"},
    ]


def test_me_without_credentials_is_401(api_client):
    assert api_client.get(f"{URL}me/").status_code == 401


def test_staff_groups_exist_for_every_creatable_staff_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {"support", "moderator", "finance", "integration"}
