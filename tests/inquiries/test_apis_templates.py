"""The quick replies API: a seller member's own templates and the starters; staff read all."""

from typing import Any

import pytest

from accounts.models import Role
from inquiries.models import ReplyTemplate
from inquiries.services.templates import STARTER_TEMPLATES
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.factories import ReplyTemplateFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory, SellerMembershipFactory

LIST = "/api/v1/reply-templates/"
STARTER_TITLES = sorted(starter["title"] for starter in STARTER_TEMPLATES)


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    seller, other_seller = SellerFactory(name="Northwind"), SellerFactory(name="Contoso")
    return {
        "seller": seller,
        "other_seller": other_seller,
        "member": SellerMemberFactory(username="nora", seller=seller),
        "other_member": SellerMemberFactory(username="carl", seller=other_seller),
        "buyer": BuyerFactory(),
        "support": UserFactory(role=Role.SUPPORT),
        "moderator": UserFactory(role=Role.MODERATOR),
        "own": ReplyTemplateFactory(seller=seller, title="Sizes", body="Hi {buyer_name}, sizes S-XL.", keywords="size"),
        "theirs": ReplyTemplateFactory(seller=other_seller, title="Theirs"),
    }


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def _snapshot() -> list[tuple[Any, ...]]:
    return list(ReplyTemplate.objects.order_by("id").values_list("id", "seller_id", "title", "body", "keywords"))


def _starter() -> ReplyTemplate:
    return ReplyTemplate.objects.filter(seller__isnull=True).order_by("id").first()  # type: ignore[return-value]


# --- GET -----------------------------------------------------------------------------------------


def test_a_member_lists_their_own_then_the_starters(world, client_for):
    response = client_for(world["member"]).get(LIST)

    assert _titles(response) == ["Sizes", *STARTER_TITLES]
    own = response.json()["results"][0]
    assert own == {
        "id": world["own"].pk,
        "seller": world["seller"].pk,
        "is_starter": False,
        "title": "Sizes",
        "body": "Hi {buyer_name}, sizes S-XL.",
        "keywords": "size",
        "created_by": None,
        "created_at": world["own"].created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": world["own"].updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert all(row["is_starter"] and row["seller"] is None for row in response.json()["results"][1:])


def test_filters_and_staff_read_everything(world, client_for):
    member = client_for(world["member"])
    assert _titles(member.get(LIST, {"starter": "false"})) == ["Sizes"]
    assert _titles(member.get(LIST, {"starter": "true"})) == STARTER_TITLES
    assert _titles(member.get(LIST, {"seller": world["other_seller"].pk})) == []
    assert member.get(LIST, {"starter": "perhaps"}).status_code == 400

    everything = _titles(client_for(world["support"]).get(LIST, {"page_size": 50}))
    assert sorted(everything) == sorted(["Sizes", "Theirs", *STARTER_TITLES])
    assert client_for(world["support"]).get(detail(world["theirs"].pk)).status_code == 200


def test_a_member_reads_own_and_starters_but_not_another_stores(world, client_for):
    client = client_for(world["member"])

    assert client.get(detail(world["own"].pk)).json()["title"] == "Sizes"
    assert client.get(detail(_starter().pk)).json()["is_starter"] is True
    assert client.get(detail(world["theirs"].pk)).status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE, Role.INTEGRATION])
def test_finance_and_integration_read_no_stores_quick_replies(world, client_for, role):
    """A store's quick replies are its own tool; back-office staff have no business reading them."""
    client = client_for(UserFactory(role=role))

    assert client.get(LIST).status_code == 403
    assert client.get(detail(world["theirs"].pk)).status_code == 403


def test_a_buyer_without_a_store_is_refused(world, client_for):
    client = client_for(world["buyer"])

    assert client.get(LIST).status_code == 403
    assert client.get(detail(_starter().pk)).status_code == 403
    assert client.post(LIST, {"title": "Mine", "body": "Hi"}).status_code == 403
    assert ReplyTemplate.objects.count() == 2 + len(STARTER_TEMPLATES)


@pytest.mark.parametrize("who", ["member", "support"])
def test_the_list_costs_the_same_queries_for_2_and_20_templates(world, client_for, django_assert_num_queries, who):
    client = client_for(world[who])
    client.get(LIST)
    # token + the role check (membership EXISTS) + count + page
    expected = 4 if who == "member" else 3
    with django_assert_num_queries(expected):
        client.get(LIST, {"page_size": 50})
    ReplyTemplateFactory.create_batch(18, seller=world["seller"])
    with django_assert_num_queries(expected):
        assert len(client.get(LIST, {"page_size": 50}).json()["results"]) >= 20


# --- POST ----------------------------------------------------------------------------------------


def test_a_member_adds_a_quick_reply_to_their_store(world, client_for):
    response = client_for(world["member"]).post(
        LIST, {"title": " Delivery ", "body": "Hi {buyer_name}, it ships today.", "keywords": "ship"}
    )

    assert response.status_code == 201
    created = ReplyTemplate.objects.get(title="Delivery")
    assert (created.seller, created.created_by, created.body, created.keywords) == (
        world["seller"],
        world["member"],
        "Hi {buyer_name}, it ships today.",
        "ship",
    )
    assert (response.json()["id"], response.json()["seller"], response.json()["is_starter"]) == (
        created.pk,
        world["seller"].pk,
        False,
    )


def test_a_member_of_several_stores_says_which(world, client_for):
    member = world["member"]
    SellerMembershipFactory(seller=world["other_seller"], user=member)
    client = client_for(member)

    missing = client.post(LIST, {"title": "Delivery", "body": "Soon."})
    assert missing.status_code == 400 and "seller" in missing.json()

    chosen = client.post(LIST, {"title": "Delivery", "body": "Soon.", "seller": world["other_seller"].pk})
    assert chosen.status_code == 201
    assert chosen.json()["seller"] == world["other_seller"].pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "Hi"}, "title"),
        ({"title": "", "body": "Hi"}, "title"),
        ({"title": "t" * 121, "body": "Hi"}, "title"),
        ({"title": "New"}, "body"),
        ({"title": "New", "body": "   "}, "body"),
        ({"title": "New", "body": "x" * 5001}, "body"),
        ({"title": "New", "body": "Hi {unknown}"}, "body"),
        ({"title": "New", "body": "Hi", "keywords": "k" * 301}, "keywords"),
        ({"title": "Sizes", "body": "Again"}, "title"),
        ({"title": "New", "body": "Hi", "seller": "other"}, "seller"),
        ({"title": "New", "body": "Hi", "seller": 999_999}, "seller"),
    ],
)
def test_bad_input_is_a_400_on_the_field_and_writes_nothing(world, client_for, payload, field):
    if payload.get("seller") == "other":
        payload = payload | {"seller": world["other_seller"].pk}
    before = _snapshot()

    response = client_for(world["member"]).post(LIST, payload)

    assert response.status_code == 400
    assert field in response.json()
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["support", "moderator"])
def test_staff_cannot_add_a_stores_quick_reply(world, client_for, who):
    response = client_for(world[who]).post(LIST, {"title": "New", "body": "Hi", "seller": world["seller"].pk})

    assert response.status_code == 403
    assert not ReplyTemplate.objects.filter(title="New").exists()


# --- PUT / PATCH / DELETE ------------------------------------------------------------------------


def test_a_member_replaces_and_patches_their_own(world, client_for):
    client = client_for(world["member"])
    url = detail(world["own"].pk)

    replaced = client.put(url, {"title": "Sizing", "body": "S to XL, {seller_name}."})
    assert replaced.status_code == 200
    assert (replaced.json()["title"], replaced.json()["body"], replaced.json()["keywords"]) == (
        "Sizing",
        "S to XL, {seller_name}.",
        "",
    )

    patched = client.patch(url, {"keywords": "size fit"})
    assert patched.status_code == 200
    world["own"].refresh_from_db()
    assert (world["own"].title, world["own"].body, world["own"].keywords) == (
        "Sizing",
        "S to XL, {seller_name}.",
        "size fit",
    )


@pytest.mark.parametrize(
    ("method", "payload", "field"),
    [
        ("put", {"title": "Only a title"}, "body"),
        ("patch", {"body": "{nope}"}, "body"),
        ("patch", {"title": ""}, "title"),
    ],
)
def test_bad_changes_are_400s_and_change_nothing(world, client_for, method, payload, field):
    ReplyTemplateFactory(seller=world["seller"], title="Taken")
    before = _snapshot()

    response = getattr(client_for(world["member"]), method)(detail(world["own"].pk), payload)

    assert response.status_code == 400
    assert field in response.json()
    assert _snapshot() == before


def test_renaming_onto_another_title_of_the_store_is_a_400(world, client_for):
    ReplyTemplateFactory(seller=world["seller"], title="Taken")
    before = _snapshot()

    response = client_for(world["member"]).patch(detail(world["own"].pk), {"title": "Taken"})

    assert response.status_code == 400
    assert response.json()["code"] == "unique"
    assert _snapshot() == before


def test_a_member_deletes_their_own(world, client_for):
    response = client_for(world["member"]).delete(detail(world["own"].pk))

    assert response.status_code == 204
    assert not ReplyTemplate.objects.filter(pk=world["own"].pk).exists()


def test_starters_are_readable_but_not_changeable(world, client_for):
    starter = _starter()
    client = client_for(world["member"])
    before = _snapshot()

    assert client.put(detail(starter.pk), {"title": "Mine now", "body": "Hi"}).status_code == 403
    assert client.patch(detail(starter.pk), {"title": "Mine now"}).status_code == 403
    assert client.delete(detail(starter.pk)).status_code == 403
    assert _snapshot() == before


def test_another_stores_template_is_not_found_and_staff_may_not_change_any(world, client_for):
    before = _snapshot()

    other = client_for(world["other_member"])
    assert other.patch(detail(world["own"].pk), {"title": "Hijacked"}).status_code == 404
    assert other.delete(detail(world["own"].pk)).status_code == 404
    support = client_for(world["support"])
    assert support.patch(detail(world["own"].pk), {"title": "Edited"}).status_code == 403
    assert support.delete(detail(world["own"].pk)).status_code == 403
    assert _snapshot() == before
