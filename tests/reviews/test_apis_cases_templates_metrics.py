"""Review cases, response templates and review metrics over the API."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.models import ProductRating, ResponseTemplate, Review, ReviewCase, SellerRating
from reviews.selectors.metrics import review_metrics
from reviews.services.cases import review_case_open
from reviews.services.responses import response_post
from reviews.services.reviews import review_create
from reviews.services.templates import STARTER_TEMPLATES
from tests.accounts.factories import BuyerFactory
from tests.reviews.factories import T0, ResponseTemplateFactory

CASES = "/api/v1/review-cases/"
TEMPLATES = "/api/v1/response-templates/"


@pytest.fixture
def review(parties: dict[str, Any]) -> Review:
    return review_create(
        buyer=parties["buyer"], product=parties["product"], rating=4, title="Kettle", body="Fine.", now=T0
    )


def _case(parties: dict[str, Any], review: Review) -> ReviewCase:
    return review_case_open(buyer=parties["buyer"], kind="wrong_product", description="Wrong", review=review, now=T0)


# --- cases ---------------------------------------------------------------------------------------


def test_a_buyer_opens_a_case(parties: dict[str, Any], client_for: Any, review: Review) -> None:
    response = client_for(parties["buyer"]).post(
        CASES, {"kind": "wrong_product", "description": "It is on the wrong kettle", "review": review.pk}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: body[key] for key in ("buyer", "kind", "review", "order", "status", "compensation_amount")} == {
        "buyer": parties["buyer"].pk,
        "kind": "wrong_product",
        "review": review.pk,
        "order": parties["order"].pk,
        "status": "open",
        "compensation_amount": None,
    }
    assert "events" not in body
    staff_view = client_for(parties["support"]).get(f"{CASES}{body['id']}/").json()
    assert [event["kind"] for event in staff_view["events"]] == ["opened"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "lost", "description": "x"}, "kind"),
        ({"kind": "wrong_product", "description": ""}, "description"),
        ({"kind": "wrong_product", "description": "x", "review": 999999}, "review"),
        ({"kind": "wrong_product", "description": "x"}, "review"),
        ({"kind": "missing_review", "description": "x", "product": 999999}, "product"),
        ({"kind": "missing_review", "description": "x", "order": 999999}, "order"),
    ],
)
def test_bad_cases_are_400s_and_nothing_is_written(
    parties: dict[str, Any], client_for: Any, payload: dict[str, Any], field: str
) -> None:
    response = client_for(parties["buyer"]).post(CASES, payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not ReviewCase.objects.exists()


def test_another_buyers_review_is_an_unknown_review(parties: dict[str, Any], client_for: Any, review: Review) -> None:
    response = client_for(parties["other_buyer"]).post(
        CASES, {"kind": "incorrect_content", "description": "x", "review": review.pk}
    )
    assert (response.status_code, list(response.json())) == (400, ["review"])


def test_case_scoping(parties: dict[str, Any], client_for: Any, review: Review) -> None:
    case = _case(parties, review)
    for who, expected in (
        ("buyer", 200),
        ("support", 200),
        ("finance", 404),  # a buyer's complaint is not finance's work (the console shows it none)
        ("other_buyer", 404),
        ("member", 404),
    ):
        assert client_for(parties[who]).get(f"{CASES}{case.pk}/").status_code == expected, who
    assert client_for(parties["finance"]).get(CASES).json()["count"] == 0
    for who, expected in (("buyer", 403), ("finance", 404), ("other_buyer", 404)):
        response = client_for(parties[who]).post(f"{CASES}{case.pk}/resolve/", {"resolution": "x"})
        assert response.status_code == expected, who


def test_reassign_restore_remove_resolve_over_the_api(parties: dict[str, Any], client_for: Any, review: Review) -> None:
    case = _case(parties, review)
    support = client_for(parties["support"])
    assert support.post(f"{CASES}{case.pk}/reassign/", {"product": 999999}).json().keys() == {"product"}
    response = support.post(f"{CASES}{case.pk}/reassign/", {"product": parties["other_product"].pk, "note": "Proof"})
    assert response.status_code == 200, response.json()
    assert response.json()["product"] == parties["other_product"].pk
    assert ProductRating.objects.get(pk=parties["product"].pk).count == 0
    assert (
        ProductRating.objects.get(pk=parties["other_product"].pk).count,
        SellerRating.objects.get(pk=parties["other_seller"].pk).total,
    ) == (1, 4)
    assert support.post(f"{CASES}{case.pk}/restore/").status_code == 409
    assert support.post(f"{CASES}{case.pk}/remove-review/", {"reason": "nope"}).status_code == 400
    assert support.post(f"{CASES}{case.pk}/remove-review/", {"reason": "fake", "note": "Bought"}).status_code == 200
    assert Review.objects.get(pk=review.pk).status == "removed"
    assert (
        support.post(f"{CASES}{case.pk}/resolve/", {"resolution": "x", "compensation_amount": "-1"}).status_code == 400
    )
    response = support.post(
        f"{CASES}{case.pk}/resolve/", {"resolution": "Removed", "compensation_amount": "7.50", "coupon_code": "SP7"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["compensation_amount"], body["currency"], body["coupon_code"]) == (
        "resolved",
        "7.50",
        "USD",
        "SP7",
    )
    assert [event["kind"] for event in body["events"]] == ["opened", "reassigned", "review_removed", "resolved"]
    assert ReviewCase.objects.get(pk=case.pk).compensation_amount == Decimal("7.50")
    conflict = support.post(f"{CASES}{case.pk}/resolve/", {"resolution": "again"})
    assert (conflict.status_code, conflict.json()["code"]) == (409, "case_resolved")


def test_case_list_queries_are_constant(parties: dict[str, Any], client_for: Any) -> None:
    client = client_for(parties["support"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CASES + "?page_size=200").status_code == 200
        return len(queries)

    for _ in range(2):
        review_case_open(
            buyer=BuyerFactory(), kind="missing_review", description="x", product=parties["product"], now=T0
        )
    few = count()
    for _ in range(25):
        review_case_open(
            buyer=BuyerFactory(), kind="missing_review", description="x", product=parties["product"], now=T0
        )
    assert count() == few == 5  # token, stores (viewer), count, page, events


# --- templates -----------------------------------------------------------------------------------


def test_templates_a_member_sees_own_then_platform(parties: dict[str, Any], client_for: Any) -> None:
    own = ResponseTemplateFactory(seller=parties["seller"], title="Ours")
    ResponseTemplateFactory(seller=parties["other_seller"], title="Theirs")
    response = client_for(parties["member"]).get(TEMPLATES + "?page_size=200")
    titles = [row["title"] for row in response.json()["results"]]
    assert titles[0] == "Ours"
    assert sorted(titles[1:]) == sorted(starter["title"] for starter in STARTER_TEMPLATES)
    assert client_for(parties["buyer"]).get(TEMPLATES).status_code == 403
    assert client_for(parties["other_member"]).get(f"{TEMPLATES}{own.pk}/").status_code == 404


def test_templates_create_change_archive(parties: dict[str, Any], client_for: Any) -> None:
    member = client_for(parties["member"])
    response = member.post(TEMPLATES, {"situation": "defect", "title": "Defect", "body": "Sorry about {product}."})
    assert response.status_code == 201, response.json()
    assert response.json()["seller"] == parties["seller"].pk
    pk = response.json()["id"]
    assert member.post(TEMPLATES, {"situation": "defect", "title": "X", "body": "{price}"}).status_code == 400
    assert member.patch(f"{TEMPLATES}{pk}/", {"title": "Defects"}).json()["title"] == "Defects"
    assert client_for(parties["moderator"]).patch(f"{TEMPLATES}{pk}/", {"title": "Mine"}).status_code == 403
    assert member.delete(f"{TEMPLATES}{pk}/").status_code == 204
    assert ResponseTemplate.objects.get(pk=pk).archived_at is not None
    assert pk not in [row["id"] for row in member.get(TEMPLATES + "?page_size=200").json()["results"]]
    assert member.patch(f"{TEMPLATES}{pk}/", {"title": "Again"}).status_code == 409
    platform = client_for(parties["moderator"]).post(
        TEMPLATES, {"situation": "positive", "title": "P", "body": "Thanks!"}
    )
    assert (platform.status_code, platform.json()["seller"]) == (201, None)
    assert member.patch(f"{TEMPLATES}{platform.json()['id']}/", {"title": "Z"}).status_code == 403


def test_template_list_queries_are_constant(parties: dict[str, Any], client_for: Any) -> None:
    client = client_for(parties["member"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(TEMPLATES + "?page_size=200").status_code == 200
        return len(queries)

    few = count()
    ResponseTemplateFactory.create_batch(30, seller=parties["seller"])
    assert count() == few == 4  # token, may use templates, count, page


# --- metrics -------------------------------------------------------------------------------------


def test_review_metrics(parties: dict[str, Any], client_for: Any) -> None:
    now = timezone.now()
    negative = review_create(buyer=parties["buyer"], product=parties["product"], rating=1, title="x", body="y", now=now)
    answered = review_create(buyer=BuyerFactory(), product=parties["product"], rating=2, title="x", body="y", now=now)
    response_post(review=answered, author=parties["member"], body="Sorry!!!", now=now + timedelta(hours=2))
    happy = review_create(buyer=BuyerFactory(), product=parties["product"], rating=5, title="x", body="y", now=now)
    response_post(review=happy, author=parties["member"], body="Thank you!", now=now + timedelta(hours=50))
    review_create(buyer=BuyerFactory(), product=parties["other_product"], rating=1, title="x", body="y", now=now)
    review_case_open(buyer=parties["buyer"], kind="incorrect_content", description="x", review=negative, now=now)
    url = f"/api/v1/sellers/{parties['seller'].pk}/review-metrics/?period={now:%Y-%m}"
    client_for(parties["member"]).get(url)  # warm caches (content types) so the counts compare
    with CaptureQueriesContext(connection) as queries:
        response = client_for(parties["member"]).get(url)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["total"] == {
        "reviews": 3,
        "responded": 2,
        "response_rate_pct": "66.67",
        "median_response_seconds": 26 * 3600,
        "answered_within_target": 1,
        "within_target_pct": "33.33",
    }
    assert body["by_band"]["negative"] == {
        "reviews": 2,
        "responded": 1,
        "response_rate_pct": "50.00",
        "median_response_seconds": 7200,
        "answered_within_target": 1,
        "within_target_pct": "50.00",
    }
    assert body["by_band"]["neutral"]["reviews"] == 0
    assert (body["by_band"]["positive"]["answered_within_target"], body["by_band"]["positive"]["responded"]) == (0, 1)
    assert (
        body["open_negative_reviews"],
        body["flagged_responses"],
        body["pending_moderation"],
        body["open_cases"],
    ) == (
        1,
        1,
        1,
        1,
    )
    for _ in range(20):  # more reviews, the same statements
        review_create(buyer=BuyerFactory(), product=parties["product"], rating=2, title="x", body="y", now=now)
    with CaptureQueriesContext(connection) as more_queries:
        assert client_for(parties["member"]).get(url).json()["total"]["reviews"] == 23
    assert len(more_queries) == len(queries)
    assert client_for(parties["other_member"]).get(url).status_code == 404
    assert client_for(parties["buyer"]).get(url).status_code == 404
    assert client_for(parties["member"]).get(url.split("?")[0] + "?period=2026-13").status_code == 400
    platform = client_for(parties["finance"]).get(f"/api/v1/review-metrics/?period={now:%Y-%m}")
    assert (platform.status_code, platform.json()["total"]["reviews"], platform.json()["open_negative_reviews"]) == (
        200,
        24,
        22,
    )
    assert client_for(parties["member"]).get("/api/v1/review-metrics/").status_code == 404


@pytest.mark.parametrize("extra", [0, 12])
def test_review_metrics_queries_do_not_grow_with_reviews(parties: dict[str, Any], extra: int) -> None:
    for index in range(extra):
        review_create(
            buyer=BuyerFactory(), product=parties["product"], rating=1 + index % 5, title="t", body="b", now=T0
        )
    with CaptureQueriesContext(connection) as queries:
        for seller_id in (parties["seller"].pk, None):
            review_metrics(seller_id=seller_id, start=T0 - timedelta(days=1), end=T0 + timedelta(days=1), now=T0)
    # Seven each on PostgreSQL (the median is an aggregate there), eight on SQLite.
    assert len(queries) == 2 * (7 if connection.vendor == "postgresql" else 8)
