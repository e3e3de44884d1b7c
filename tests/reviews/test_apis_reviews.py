"""The reviews API: writing (201 with exact values, 400 on the field with nothing written, 409 for
a second review), who sees what (published for everyone, hidden for the buyer and the store, staff
notes for staff only), responses (403 / 404 / 409, flagged responses hidden from the buyer),
moderation actions, the follow-up, response moderation, and constant query counts on every list."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from reviews.models import ProductRating, ResponseTemplate, Review, ReviewResponse, SellerStrike
from reviews.services.responses import response_post
from reviews.services.reviews import review_create, review_hide
from tests.accounts.factories import BuyerFactory
from tests.marketplace.factories import ProductFactory
from tests.reviews.factories import T0

LIST = "/api/v1/reviews/"
RESPONSES = "/api/v1/review-responses/"
GOOD = "Thank you for telling us, and we are sorry. A replacement is on its way today."


def _detail(pk: int, action: str = "") -> str:
    return f"{LIST}{pk}/" + (f"{action}/" if action else "")


def _write(parties: dict[str, Any], *, rating: int = 5, buyer: Any = None, product: Any = None) -> Review:
    return review_create(
        buyer=buyer or parties["buyer"],
        product=product or parties["product"],
        rating=rating,
        title="Kettle",
        body="Boils fast.",
        now=T0,
    )


def test_a_buyer_writes_a_review(parties: dict[str, Any], client_for: Any) -> None:
    response = client_for(parties["buyer"]).post(
        LIST,
        {
            "product": parties["product"].pk,
            "rating": 4,
            "title": "Good",
            "body": "Works.",
            "order": parties["order"].pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    review = Review.objects.get()
    assert body == {
        "id": review.pk,
        "product": parties["product"].pk,
        "seller": parties["seller"].pk,
        "buyer": parties["buyer"].pk,
        "order": parties["order"].pk,
        "verified_purchase": True,
        "rating": 4,
        "title": "Good",
        "body": "Works.",
        "status": "published",
        "moderation_reason": "",
        "response_due_at": body["response_due_at"],
        "first_response_at": None,
        "escalated_at": None,
        "responded": False,
        "responses": [],
        "follow_up": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert ProductRating.objects.get(pk=parties["product"].pk).count == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product": 999999}, "product"),
        ({"product": "abc"}, "product"),
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"title": ""}, "title"),
        ({"body": "x" * 5001}, "body"),
        ({"order": 999999}, "order"),
    ],
)
def test_bad_input_is_a_400_on_its_field_and_nothing_is_written(
    parties: dict[str, Any], client_for: Any, changes: dict[str, Any], field: str
) -> None:
    payload = {"product": parties["product"].pk, "rating": 4, "title": "Good", "body": "Works."} | changes
    response = client_for(parties["buyer"]).post(LIST, payload)
    assert response.status_code == 400
    assert field in response.json()
    assert (Review.objects.count(), Notification.objects.count()) == (0, 0)


def test_someone_elses_order_is_an_unknown_order(parties: dict[str, Any], client_for: Any) -> None:
    payload = {"product": parties["product"].pk, "rating": 4, "title": "x", "body": "y", "order": parties["order"].pk}
    response = client_for(parties["other_buyer"]).post(LIST, payload)
    assert (response.status_code, list(response.json())) == (400, ["order"])


def test_a_second_review_of_the_same_product_is_a_409(parties: dict[str, Any], client_for: Any) -> None:
    _write(parties)
    response = client_for(parties["buyer"]).post(
        LIST, {"product": parties["product"].pk, "rating": 1, "title": "x", "body": "y"}
    )
    assert (response.status_code, response.json()["code"]) == (409, "already_reviewed")


def test_staff_may_not_write_reviews(parties: dict[str, Any], client_for: Any) -> None:
    response = client_for(parties["support"]).post(
        LIST, {"product": parties["product"].pk, "rating": 5, "title": "x", "body": "y"}
    )
    assert response.status_code == 403


def test_who_sees_a_hidden_review(parties: dict[str, Any], client_for: Any) -> None:
    review = _write(parties)
    review_hide(review=review, actor=parties["moderator"], reason="fake", note="Ring of fake reviews", now=T0)
    for who, expected in (
        ("buyer", 200),
        ("member", 200),
        ("moderator", 200),
        ("finance", 404),  # staff, but reviews are not finance's work: what any signed-in user sees
        ("other_buyer", 404),
        ("other_member", 404),
    ):
        assert client_for(parties[who]).get(_detail(review.pk)).status_code == expected, who
    seen_by_buyer = client_for(parties["buyer"]).get(_detail(review.pk)).json()
    assert (seen_by_buyer["status"], seen_by_buyer["moderation_reason"]) == ("hidden", "fake")
    assert "moderation_note" not in seen_by_buyer
    seen_by_staff = client_for(parties["moderator"]).get(_detail(review.pk)).json()
    assert (seen_by_staff["moderation_note"], seen_by_staff["moderated_by"]) == (
        "Ring of fake reviews",
        parties["moderator"].pk,
    )


def test_filters(parties: dict[str, Any], client_for: Any) -> None:
    five = _write(parties)
    one = _write(parties, rating=1, buyer=BuyerFactory())
    other = _write(parties, rating=3, product=parties["other_product"])
    response_post(review=one, author=parties["member"], body=GOOD, now=T0)
    client = client_for(parties["other_buyer"])

    def ids(query: str) -> list[int]:
        response = client.get(LIST + query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("?ordering=id") == [five.pk, one.pk, other.pk]
    assert ids(f"?product={parties['product'].pk}&ordering=id") == [five.pk, one.pk]
    assert ids(f"?seller={parties['other_seller'].pk}") == [other.pk]
    assert ids("?rating=1") == [one.pk]
    assert ids("?responded=true") == [one.pk]
    assert ids("?responded=false&ordering=id") == [five.pk, other.pk]
    assert ids("?status=hidden") == []
    for bad in ("?rating=9", "?responded=maybe", "?product=0", "?status=gone"):
        assert client.get(LIST + bad).status_code == 400, bad


@pytest.mark.parametrize("who", ["other_buyer", "member", "moderator"])
def test_the_list_costs_the_same_queries_for_2_and_40_reviews(
    parties: dict[str, Any], client_for: Any, who: str
) -> None:
    client = client_for(parties[who])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST + "?page_size=200").status_code == 200
        return len(queries)

    for index in range(2):
        review = _write(parties, rating=1 + index, buyer=BuyerFactory())
        response_post(review=review, author=parties["member"], body=GOOD, now=T0)
    few = count()
    for index in range(38):
        review = _write(parties, rating=1 + index % 5, buyer=BuyerFactory())
        response_post(review=review, author=parties["support"], body=GOOD, now=T0)
    assert count() == few == 5  # token, stores (viewer), count, page (+ follow-up), responses


# --- responses -----------------------------------------------------------------------------------


def test_a_seller_responds_and_a_flagged_response_is_hidden_from_the_buyer(
    parties: dict[str, Any], client_for: Any
) -> None:
    review = _write(parties, rating=2)
    member = client_for(parties["member"])
    response = member.post(_detail(review.pk, "responses"), {"body": "You should have read the manual!!!"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["flagged"], body["flag_reasons"], body["author"]) == (
        "pending_moderation",
        True,
        ["blaming", "shouting"],
        parties["member"].pk,
    )
    seen = client_for(parties["buyer"]).get(_detail(review.pk)).json()
    assert (seen["responses"], seen["responded"]) == ([], True)
    assert client_for(parties["buyer"]).get(f"{RESPONSES}{body['id']}/").status_code == 404
    assert member.get(_detail(review.pk)).json()["responses"][0]["id"] == body["id"]
    assert member.post(_detail(review.pk, "responses"), {"body": GOOD}).status_code == 409


def test_a_template_response(parties: dict[str, Any], client_for: Any) -> None:
    review = _write(parties, rating=5)
    template = ResponseTemplate.objects.get(seller__isnull=True, situation="positive")
    response = client_for(parties["member"]).post(
        _detail(review.pk, "responses"), {"template": template.pk, "context": {"customer_name": "Ms Smith"}}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["body"].startswith("Thank you so much for your review, Ms Smith! We are delighted that ")
    assert (response.json()["status"], response.json()["flagged"], response.json()["template"]) == (
        "published",
        False,
        template.pk,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"body": GOOD, "template": 1}, "body"),
        ({"template": 999999}, "template"),
        ({"body": GOOD, "context": {"product": "x"}}, "context"),
        ({"body": ""}, "body"),
    ],
)
def test_bad_responses_are_400s_and_nothing_is_written(
    parties: dict[str, Any], client_for: Any, payload: dict[str, Any], field: str
) -> None:
    review = _write(parties)
    response = client_for(parties["member"]).post(_detail(review.pk, "responses"), payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not ReviewResponse.objects.exists()


def test_who_may_respond(parties: dict[str, Any], client_for: Any) -> None:
    review = _write(parties)
    for who in ("buyer", "other_buyer", "other_member", "finance"):
        assert client_for(parties[who]).post(_detail(review.pk, "responses"), {"body": GOOD}).status_code == 403, who
    review_hide(review=review, actor=parties["moderator"], reason="fake", now=T0)
    assert client_for(parties["other_member"]).post(_detail(review.pk, "responses"), {"body": GOOD}).status_code == 404
    assert client_for(parties["member"]).post(_detail(review.pk, "responses"), {"body": GOOD}).status_code == 409
    assert not ReviewResponse.objects.exists()


def test_moderators_hide_remove_and_restore(parties: dict[str, Any], client_for: Any) -> None:
    review = _write(parties)
    moderator = client_for(parties["moderator"])
    assert client_for(parties["support"]).post(_detail(review.pk, "hide"), {"reason": "fake"}).status_code == 403
    assert moderator.post(_detail(review.pk, "hide"), {"reason": "boring"}).status_code == 400
    assert moderator.post(_detail(review.pk, "restore")).status_code == 409
    response = moderator.post(_detail(review.pk, "hide"), {"reason": "profanity", "note": "Swearing"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["moderation_note"]) == ("hidden", "Swearing")
    assert ProductRating.objects.get(pk=parties["product"].pk).count == 0
    assert moderator.post(_detail(review.pk, "remove"), {"reason": "profanity"}).json()["status"] == "removed"
    assert moderator.post(_detail(review.pk, "restore")).json()["status"] == "published"
    assert ProductRating.objects.get(pk=parties["product"].pk).count == 1


def test_follow_up(parties: dict[str, Any], client_for: Any) -> None:
    review = _write(parties, rating=1)
    buyer = client_for(parties["buyer"])
    assert buyer.post(_detail(review.pk, "follow-up"), {"resolved": True}).status_code == 409
    response_post(review=review, author=parties["member"], body=GOOD, now=T0)
    assert client_for(parties["member"]).post(_detail(review.pk, "follow-up"), {"resolved": True}).status_code == 403
    assert buyer.post(_detail(review.pk, "follow-up"), {}).status_code == 400
    response = buyer.post(_detail(review.pk, "follow-up"), {"resolved": True, "comment": "Replacement arrived"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["customer_comment"]) == ("resolved", "Replacement arrived")


def test_moderating_a_response_over_the_api(parties: dict[str, Any], client_for: Any) -> None:
    review = _write(parties, rating=2)
    flagged = response_post(review=review, author=parties["member"], body="Email me: me@shop.example.com", now=T0)
    moderator = client_for(parties["moderator"])
    queue = moderator.get(RESPONSES + "?status=pending_moderation").json()["results"]
    assert [row["id"] for row in queue] == [flagged.pk]
    assert client_for(parties["member"]).post(f"{RESPONSES}{flagged.pk}/approve/").status_code == 403
    assert moderator.post(f"{RESPONSES}{flagged.pk}/hide/", {"reason": "x", "violations": ["rude"]}).status_code == 400
    response = moderator.post(f"{RESPONSES}{flagged.pk}/request-edit/", {"reason": "Keep contact on SayPro"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["moderation_reason"]) == (
        "edit_requested",
        "Keep contact on SayPro",
    )
    assert list(SellerStrike.objects.values_list("violation", flat=True)) == ["contact_details"]
    assert moderator.post(f"{RESPONSES}{flagged.pk}/approve/").status_code == 409


def test_response_list_costs_the_same_queries_for_2_and_30(parties: dict[str, Any], client_for: Any) -> None:
    client = client_for(parties["member"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(RESPONSES + "?page_size=200").status_code == 200
        return len(queries)

    products = [ProductFactory(seller=parties["seller"]) for _ in range(30)]
    for product in products[:2]:
        response_post(review=_write(parties, product=product), author=parties["member"], body=GOOD, now=T0)
    few = count()
    for product in products[2:]:
        response_post(review=_write(parties, product=product), author=parties["member"], body=GOOD, now=T0)
    assert count() == few == 4  # token, stores (viewer), count, page
