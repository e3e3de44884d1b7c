"""The users' pages of the moderators' console."""

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

ACCOUNTS_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "accounts"),
    key=lambda model: model._meta.model_name or "",
)
ROW_BUILDERS: dict[type[Model], Callable[[], Model]] = {User: UserFactory}


def _url(model: type[Model], page: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_registered_accounts_model_has_a_row_builder() -> None:
    assert set(ACCOUNTS_MODELS) == set(ROW_BUILDERS)


@pytest.mark.django_db
@pytest.mark.parametrize("model", ACCOUNTS_MODELS, ids=lambda model: model._meta.model_name)
def test_superuser_can_open_changelist_search_add_and_change_pages(admin_user: User, model: type[Model]) -> None:
    client = _logged_in(admin_user)
    row = ROW_BUILDERS[model]()

    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200
    assert client.get(_url(model, "add")).status_code == 200
    assert client.get(_url(model, "change", row.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", ACCOUNTS_MODELS, ids=lambda model: model._meta.model_name)
def test_changelist_query_count_does_not_grow_with_rows(
    admin_user: User, model: type[Model], django_assert_num_queries: Callable
) -> None:
    client = _logged_in(admin_user)
    build = ROW_BUILDERS[model]
    for _ in range(5):
        build()
    url = _url(model, "changelist")
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as five_rows:
        assert client.get(url).status_code == 200

    for _ in range(45):
        build()
    with django_assert_num_queries(len(five_rows.captured_queries)):
        response = client.get(url)
    assert response.context["cl"].result_count >= 50


@pytest.mark.django_db
def test_admin_adds_a_user_with_a_role(admin_user: User) -> None:
    client = _logged_in(admin_user)

    response = client.post(
        _url(User, "add"),
        {
            "username": "new-agent",
            "email": "agent@example.com",
            "role": Role.SUPPORT,
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="new-agent")
    assert (user.email, user.role) == ("agent@example.com", Role.SUPPORT)
    assert user.check_password("a-long-enough-passphrase-42")


@pytest.mark.django_db
def test_user_page_shows_role_and_seller_memberships(admin_user: User) -> None:
    member = SellerMemberFactory(seller=SellerFactory(name="Lamp Corner"))
    client = _logged_in(admin_user)

    response = client.get(_url(User, "change", member.pk))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="role"' in content
    assert "Lamp Corner" in content
    assert "created_at" not in response.context["adminform"].form.fields


@pytest.mark.django_db
def test_user_list_filters_by_role_and_searches_by_email(admin_user: User) -> None:
    UserFactory(username="findme", email="find.me@example.com", role=Role.SELLER)
    UserFactory(username="other", email="other@example.com", role=Role.BUYER)
    client = _logged_in(admin_user)

    by_email = client.get(_url(User, "changelist"), {"q": "find.me@"})
    sellers = client.get(_url(User, "changelist"), {"role__exact": Role.SELLER})

    assert [user.username for user in by_email.context["cl"].result_list] == ["findme"]
    assert [user.username for user in sellers.context["cl"].result_list] == ["findme"]


@pytest.mark.django_db
def test_support_may_view_users_but_not_change_them(staff_user: User) -> None:
    target = BuyerFactory(first_name="Original")
    client = _logged_in(staff_user)

    assert client.get(_url(User, "changelist")).status_code == 200
    assert client.get(_url(User, "change", target.pk)).status_code == 200
    assert client.get(_url(User, "add")).status_code == 403
    assert client.post(_url(User, "change", target.pk), {"first_name": "Changed"}).status_code == 403
    target.refresh_from_db()
    assert target.first_name == "Original"


@pytest.mark.django_db
def test_support_gets_403_on_groups() -> None:
    client = _logged_in(UserFactory(role=Role.SUPPORT))

    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.BUYER, Role.SELLER])
def test_buyers_and_sellers_are_sent_to_the_admin_login(role: Role) -> None:
    client = _logged_in(UserFactory(role=role))

    for url in (reverse("admin:index"), _url(User, "changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_admin_index_is_branded_as_the_moderators_console(admin_user: User) -> None:
    response = _logged_in(admin_user).get(reverse("admin:index"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "SayPro moderators&#x27; console" in content
    assert "staff only" in content


@pytest.mark.django_db
def test_the_integration_client_has_no_console_door_to_make_accounts(integration_user: User) -> None:
    """``accounts.add_user`` (the API's ``POST /users/``, buyers and sellers only) opens no add page
    in the console, where the role would be free: Django's user admin needs the change permission
    too, which no staff group has."""
    response = _logged_in(integration_user).post(
        reverse("admin:accounts_user_add"), {"username": "mole", "role": "moderator"}
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="mole").exists()
