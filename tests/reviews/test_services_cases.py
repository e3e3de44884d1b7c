"""Review cases: opening with validation; reassign (ratings of both products and sellers follow,
history kept), restore, remove, resolve with compensation in the order's currency; state
conflicts; every action audited and the customer told."""

from decimal import Decimal
from typing import Any

import pytest

from core.exceptions import Forbidden, InvalidInput, StateConflict
from marketplace.models import Order, OrderItem
from notifications.models import Notification
from reviews.models import ProductRating, Review, ReviewCase, SellerRating
from reviews.notices import Kind
from reviews.services.cases import (
    review_case_open,
    review_case_reassign,
    review_case_remove_review,
    review_case_resolve,
    review_case_restore,
)
from reviews.services.ratings import ratings_recompute
from reviews.services.reviews import review_create
from tests.reviews.factories import T0


@pytest.fixture
def review(parties: dict[str, Any]) -> Review:
    return review_create(
        buyer=parties["buyer"], product=parties["product"], rating=4, title="Nice", body="Nice kettle.", now=T0
    )


def _open(parties: dict[str, Any], review: Review, kind: str = "wrong_product") -> ReviewCase:
    return review_case_open(buyer=parties["buyer"], kind=kind, description="Wrong listing", review=review, now=T0)


def _counts(model: Any, pk: int) -> tuple[int, int]:
    row = model.objects.filter(pk=pk).first()
    return (row.count, row.total) if row else (0, 0)


def test_opening_a_case_validates_its_references(parties: dict[str, Any], review: Review) -> None:
    case = _open(parties, review)
    assert (case.status, case.order_id, case.kind) == ("open", parties["order"].pk, "wrong_product")
    assert list(case.events.values_list("kind", "actor_id")) == [("opened", parties["buyer"].pk)]
    bad = [
        ({"kind": "lost_parcel"}, "kind"),
        ({"kind": "wrong_product", "review": None}, "review"),
        ({"kind": "missing_review", "review": None}, "product"),
        ({"buyer": parties["other_buyer"]}, "review"),
        ({"description": ""}, "description"),
    ]
    for changes, field in bad:
        arguments = {"buyer": parties["buyer"], "kind": "wrong_product", "description": "x", "review": review} | changes
        with pytest.raises(InvalidInput) as error:
            review_case_open(now=T0, **arguments)
        assert error.value.field == field
    assert ReviewCase.objects.count() == 1


@pytest.mark.parametrize(("order_status", "verified"), [("delivered", True), ("cancelled", False)])
def test_reassigned_to_another_product_of_the_order_the_badge_follows_only_a_real_purchase(
    parties: dict[str, Any], review: Review, order_status: str, verified: bool
) -> None:
    """The order also holds the right product: the review keeps its badge there, unless the order
    was cancelled (a cancelled order earns no badge, whichever product the review is on)."""
    order = parties["order"]
    OrderItem.objects.create(
        order=order,
        product=parties["second_product"],
        product_name="Second product",
        quantity=1,
        unit_price=Decimal("0.00"),
        line_total=Decimal("0.00"),
    )
    Order.objects.filter(pk=order.pk).update(status=order_status)

    review_case_reassign(
        case=_open(parties, review), actor=parties["support"], product=parties["second_product"], now=T0
    )

    review.refresh_from_db()
    assert (review.product_id, review.verified_purchase) == (parties["second_product"].pk, verified)


def test_reassign_moves_ratings_between_products_and_sellers(parties: dict[str, Any], review: Review) -> None:
    case = _open(parties, review)
    with pytest.raises(Forbidden):
        review_case_reassign(case=case, actor=parties["finance"], product=parties["other_product"], now=T0)
    review_case_reassign(
        case=case, actor=parties["support"], product=parties["other_product"], note="Customer's screenshot", now=T0
    )
    review.refresh_from_db()
    assert (review.product_id, review.seller_id, review.verified_purchase) == (
        parties["other_product"].pk,
        parties["other_seller"].pk,
        False,
    )
    assert _counts(ProductRating, parties["product"].pk) == (0, 0)
    assert _counts(ProductRating, parties["other_product"].pk) == (1, 4)
    assert _counts(SellerRating, parties["seller"].pk) == (0, 0)
    assert _counts(SellerRating, parties["other_seller"].pk) == (1, 4)
    event = case.events.get(kind="reassigned")
    assert (event.actor_id, event.note, event.data) == (
        parties["support"].pk,
        "Customer's screenshot",
        {
            "from_product": parties["product"].pk,
            "to_product": parties["other_product"].pk,
            "from_seller": parties["seller"].pk,
            "to_seller": parties["other_seller"].pk,
        },
    )
    assert review.events.filter(kind="reassigned").count() == 1
    before = {(m, r.pk): (r.count, r.total) for m in (ProductRating, SellerRating) for r in m.objects.all()}
    ratings_recompute(now=T0)
    assert before == {(m, r.pk): (r.count, r.total) for m in (ProductRating, SellerRating) for r in m.objects.all()}
    with pytest.raises(InvalidInput):
        review_case_reassign(case=case, actor=parties["support"], product=parties["other_product"], now=T0)


def test_reassigning_onto_a_product_the_buyer_reviewed_is_a_conflict(parties: dict[str, Any], review: Review) -> None:
    review_create(buyer=parties["buyer"], product=parties["second_product"], rating=1, title="x", body="y", now=T0)
    case = _open(parties, review)
    with pytest.raises(StateConflict):
        review_case_reassign(case=case, actor=parties["support"], product=parties["second_product"], now=T0)
    review.refresh_from_db()
    assert review.product_id == parties["product"].pk


def test_remove_restore_and_resolve_with_compensation(parties: dict[str, Any], review: Review) -> None:
    case = _open(parties, review, kind="incorrect_content")
    with pytest.raises(StateConflict):
        review_case_restore(case=case, actor=parties["support"], now=T0)
    with pytest.raises(InvalidInput) as error:
        review_case_remove_review(case=case, actor=parties["support"], reason="because", now=T0)
    assert error.value.field == "reason"
    review_case_remove_review(case=case, actor=parties["support"], reason="misleading", note="Wrong text", now=T0)
    review.refresh_from_db()
    assert (review.status, review.moderation_reason, review.moderation_note) == ("removed", "misleading", "Wrong text")
    assert _counts(ProductRating, parties["product"].pk) == (0, 0)
    with pytest.raises(StateConflict):
        review_case_remove_review(case=case, actor=parties["support"], reason="misleading", now=T0)
    review_case_restore(case=case, actor=parties["support"], now=T0)
    review.refresh_from_db()
    assert review.status == "published"
    assert _counts(ProductRating, parties["product"].pk) == (1, 4)
    for amount in ("0", "-1", "1.005", "100000", "abc"):
        with pytest.raises(InvalidInput) as error:
            review_case_resolve(
                case=case, actor=parties["support"], resolution="Done", compensation_amount=amount, now=T0
            )
        assert error.value.field == "compensation_amount"
    case = review_case_resolve(
        case=case,
        actor=parties["support"],
        resolution="Content corrected",
        compensation_amount="5.00",
        coupon_code="SORRY5",
        now=T0,
    )
    assert (
        case.status,
        case.compensation_amount,
        case.compensation_currency,
        case.coupon_code,
        case.resolved_by_id,
    ) == (
        "resolved",
        Decimal("5.00"),
        "USD",
        "SORRY5",
        parties["support"].pk,
    )
    assert list(case.events.values_list("kind", flat=True)) == ["opened", "review_removed", "restored", "resolved"]
    assert case.events.get(kind="resolved").data == {
        "compensation_amount": "5.00",
        "currency": "USD",
        "coupon_code": "SORRY5",
    }
    assert Notification.objects.filter(recipient=parties["buyer"], kind=Kind.REVIEW_CASE_UPDATE).count() == 4
    for action in (
        lambda: review_case_resolve(case=case, actor=parties["support"], resolution="Again", now=T0),
        lambda: review_case_restore(case=case, actor=parties["support"], now=T0),
    ):
        with pytest.raises(StateConflict) as conflict:
            action()
        assert conflict.value.code == "case_resolved"


def test_compensation_needs_an_order(parties: dict[str, Any]) -> None:
    case = review_case_open(
        buyer=parties["buyer"], kind="missing_review", description="Gone", product=parties["second_product"], now=T0
    )
    with pytest.raises(InvalidInput) as error:
        review_case_resolve(case=case, actor=parties["support"], resolution="x", compensation_amount="1.00", now=T0)
    assert (error.value.field, error.value.code) == ("compensation_amount", "no_order")
