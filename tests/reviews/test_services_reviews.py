"""Writing and moderating reviews: validation, verified purchase, one per buyer and product, the
low-rating alert and follow-up, and rating counters that stay equal to a recount through
add / hide / remove / restore."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.exceptions import Forbidden, InvalidInput, StateConflict
from marketplace.models import Order, OrderItem
from notifications.models import Notification
from reviews.models import (
    FollowUpStatus,
    ProductRating,
    RecoveryFollowUp,
    ResponseStatus,
    Review,
    ReviewEvent,
    ReviewStatus,
    SellerRating,
)
from reviews.notices import Kind
from reviews.selectors.reviews import product_rating, seller_rating
from reviews.services.purchases import reviews_verified_purchase_sync
from reviews.services.ratings import ratings_recompute
from reviews.services.responses import response_post
from reviews.services.reviews import follow_up_answer, review_create, review_hide, review_remove, review_restore
from tests.accounts.factories import BuyerFactory
from tests.marketplace.factories import OrderFactory
from tests.marketplace.factories_billing import PaymentFactory
from tests.reviews.factories import T0

HOUR = timedelta(hours=1)


def _write(parties: dict[str, Any], *, rating: int = 5, buyer: Any = None, product: Any = None, **extra: Any) -> Review:
    return review_create(
        buyer=buyer or parties["buyer"],
        product=product or parties["product"],
        rating=rating,
        title="My review",
        body="It works well.",
        now=T0,
        **extra,
    )


def _counters(model: Any, pk: int) -> tuple[int, int, list[int]]:
    row = model.objects.get(pk=pk)
    return row.count, row.total, [row.stars_1, row.stars_2, row.stars_3, row.stars_4, row.stars_5]


def _assert_counters_match_recount(parties: dict[str, Any]) -> None:
    running = {
        (model, row.pk): _counters(model, row.pk)
        for model in (ProductRating, SellerRating)
        for row in model.objects.all()
    }
    ratings_recompute(now=T0)
    recounted = {(model, pk): _counters(model, pk) for model, pk in running}
    assert running == recounted


def test_a_review_with_the_buyers_order_is_a_verified_purchase(parties: dict[str, Any]) -> None:
    review = _write(parties, order=parties["order"])
    assert (review.status, review.verified_purchase, review.order_id) == ("published", True, parties["order"].pk)
    assert review.seller_id == parties["seller"].pk
    assert review.response_due_at == T0 + 48 * HOUR
    assert review.escalate_at is None
    assert list(review.events.values_list("kind", "actor_id")) == [("created", parties["buyer"].pk)]


def test_without_an_order_the_buyers_order_containing_the_product_is_attached(parties: dict[str, Any]) -> None:
    review = _write(parties)
    assert (review.verified_purchase, review.order_id) == (True, parties["order"].pk)


def _order_of(parties: dict[str, Any], *, status: str, placed_at: Any = None) -> Any:
    """Another order of the buyer's containing the reviewed product."""
    order = OrderFactory(buyer=parties["buyer"], seller=parties["seller"], status=status, items=[])
    OrderItem.objects.create(
        order=order,
        product=parties["product"],
        product_name=parties["product"].name,
        quantity=2,
        unit_price=Decimal("19.99"),
        line_total=Decimal("39.98"),
    )
    if placed_at is not None:
        Order.objects.filter(pk=order.pk).update(placed_at=placed_at)
    return order


@pytest.mark.parametrize(
    ("status", "payment", "verified"),
    [
        ("cancelled", None, False),  # the finding: a cancelled order earned the badge
        ("cancelled", "captured", False),
        ("pending", None, False),
        ("processing", "pending", False),
        ("processing", "captured", True),  # paid
        ("shipped", "partially_refunded", True),
        ("delivered", None, True),  # paid on delivery
        ("delivered", "captured", True),
        ("delivered", "refunded", False),  # refunded in full
    ],
)
def test_only_a_delivered_or_paid_order_never_cancelled_nor_refunded_in_full_earns_the_badge(
    parties: dict[str, Any], status: str, payment: str | None, verified: bool
) -> None:
    order = _order_of(parties, status=status)
    if payment is not None:
        total = order.total
        captured = Decimal("0.00") if payment == "pending" else total
        refunded = {"refunded": total, "partially_refunded": Decimal("1.00")}.get(payment, Decimal("0.00"))
        PaymentFactory(order=order, status=payment, captured_amount=captured, refunded_amount=refunded)

    review = _write(parties, order=order)

    assert (review.verified_purchase, review.order_id) == (verified, order.pk)


def test_without_an_order_a_cancelled_one_is_attached_without_the_badge(parties: dict[str, Any]) -> None:
    Order.objects.filter(pk=parties["order"].pk).update(status="cancelled")

    review = _write(parties)

    assert (review.verified_purchase, review.order_id) == (False, parties["order"].pk)


def test_without_an_order_the_one_proving_the_purchase_is_preferred_to_a_later_cancelled_one(
    parties: dict[str, Any],
) -> None:
    _order_of(parties, status="cancelled", placed_at=parties["order"].placed_at + timedelta(days=1))

    review = _write(parties)

    assert (review.verified_purchase, review.order_id) == (True, parties["order"].pk)


def test_a_product_never_bought_is_an_unverified_review(parties: dict[str, Any]) -> None:
    review = _write(parties, product=parties["second_product"])
    assert (review.verified_purchase, review.order_id) == (False, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": True}, "rating"),
        ({"title": "  "}, "title"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "nul\x00"}, "body"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(
    parties: dict[str, Any], changes: dict[str, Any], field: str
) -> None:
    arguments = {"rating": 4, "title": "Fine", "body": "Fine."} | changes
    with pytest.raises(InvalidInput) as error:
        review_create(buyer=parties["buyer"], product=parties["product"], now=T0, **arguments)
    assert error.value.field == field
    assert (Review.objects.count(), ProductRating.objects.count(), Notification.objects.count()) == (0, 0, 0)


def test_an_order_that_is_not_the_buyers_or_lacks_the_product_is_refused(parties: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as error:
        _write(parties, buyer=parties["other_buyer"], order=parties["order"])
    assert (error.value.field, error.value.code) == ("order", "not_yours")
    with pytest.raises(InvalidInput) as error:
        _write(parties, product=parties["second_product"], order=parties["order"])
    assert (error.value.field, error.value.code) == ("order", "mismatch")
    assert not Review.objects.exists()


def test_a_seller_cannot_review_its_own_product(parties: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as error:
        _write(parties, buyer=parties["member"])
    assert (error.value.field, error.value.code) == ("product", "own_store")


def test_one_review_per_buyer_and_product(parties: dict[str, Any]) -> None:
    _write(parties)
    with pytest.raises(StateConflict) as error:
        _write(parties, rating=1)
    assert error.value.code == "already_reviewed"
    assert Review.objects.count() == 1
    assert _counters(ProductRating, parties["product"].pk) == (1, 5, [0, 0, 0, 0, 1])


def test_a_low_rating_alerts_seller_and_support_at_once_and_opens_a_follow_up(parties: dict[str, Any]) -> None:
    review = _write(parties, rating=2)
    assert review.response_due_at == T0 + 24 * HOUR
    assert review.escalate_at == T0 + 48 * HOUR
    alerted = Notification.objects.filter(kind=Kind.LOW_RATING_REVIEW)
    assert sorted(alerted.values_list("recipient__username", flat=True)) == ["northwind-owner", "support-1"]
    follow_up = RecoveryFollowUp.objects.get(review=review)
    assert (follow_up.status, follow_up.order_id, follow_up.due_at) == ("open", parties["order"].pk, T0 + 7 * 24 * HOUR)
    assert list(review.events.values_list("kind", flat=True)) == ["created", "low_rating_alerted"]


def test_a_good_rating_alerts_nobody(parties: dict[str, Any]) -> None:
    _write(parties, rating=4)
    assert not Notification.objects.filter(kind=Kind.LOW_RATING_REVIEW).exists()
    assert not RecoveryFollowUp.objects.exists()


def test_ratings_stay_correct_through_add_hide_remove_restore(parties: dict[str, Any]) -> None:
    moderator = parties["moderator"]
    five = _write(parties, rating=5)
    two = _write(parties, rating=2, buyer=BuyerFactory())
    _write(parties, rating=4, product=parties["second_product"])
    _write(parties, rating=3, product=parties["other_product"])
    assert _counters(ProductRating, parties["product"].pk) == (2, 7, [0, 1, 0, 0, 1])
    assert _counters(SellerRating, parties["seller"].pk) == (3, 11, [0, 1, 0, 1, 1])
    assert _counters(SellerRating, parties["other_seller"].pk) == (1, 3, [0, 0, 1, 0, 0])
    assert seller_rating(seller_id=parties["seller"].pk).average == pytest.approx(3.67)

    review_hide(review=two, actor=moderator, reason="fake", note="Same IP as the seller's rival", now=T0 + HOUR)
    assert _counters(ProductRating, parties["product"].pk) == (1, 5, [0, 0, 0, 0, 1])
    review_remove(review=two, actor=moderator, reason="fake", now=T0 + 2 * HOUR)  # hidden -> removed: no change
    assert _counters(ProductRating, parties["product"].pk) == (1, 5, [0, 0, 0, 0, 1])
    review_remove(review=five, actor=moderator, reason="unrelated", now=T0 + 2 * HOUR)
    assert product_rating(product_id=parties["product"].pk).average is None
    review_restore(review=two, actor=moderator, now=T0 + 3 * HOUR)
    assert _counters(ProductRating, parties["product"].pk) == (1, 2, [0, 1, 0, 0, 0])
    assert _counters(SellerRating, parties["seller"].pk) == (2, 6, [0, 1, 0, 1, 0])
    _assert_counters_match_recount(parties)
    two.refresh_from_db()
    assert (two.status, two.moderation_reason, two.moderated_by_id) == ("published", "", moderator.pk)
    assert list(two.events.values_list("kind", flat=True)) == [
        "created",
        "low_rating_alerted",
        "hidden",
        "removed",
        "restored",
    ]
    assert Notification.objects.filter(recipient=two.buyer, kind=Kind.REVIEW_MODERATED).count() == 3


def test_moderation_checks_the_transition_the_reason_and_the_role(parties: dict[str, Any]) -> None:
    review = _write(parties)
    with pytest.raises(StateConflict):
        review_restore(review=review, actor=parties["moderator"], now=T0)
    with pytest.raises(InvalidInput) as error:
        review_hide(review=review, actor=parties["moderator"], reason="boring", now=T0)
    assert error.value.field == "reason"
    with pytest.raises(Forbidden):
        review_hide(review=review, actor=parties["support"], reason="fake", now=T0)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert ReviewEvent.objects.filter(review=review).count() == 1


def test_follow_up_after_a_response_resolved_or_escalated(parties: dict[str, Any]) -> None:
    review = _write(parties, rating=1)
    with pytest.raises(StateConflict) as error:
        follow_up_answer(review=review, actor=parties["buyer"], resolved=True, now=T0 + HOUR)
    assert error.value.code == "not_responded"
    response_post(
        review=review, author=parties["member"], body="We are sorry; a replacement is on its way.", now=T0 + HOUR
    )
    with pytest.raises(Forbidden):
        follow_up_answer(review=review, actor=parties["member"], resolved=True, now=T0 + HOUR)
    follow_up = follow_up_answer(
        review=review, actor=parties["buyer"], resolved=False, comment="Still nothing", now=T0 + 2 * HOUR
    )
    assert (follow_up.status, follow_up.escalated_at, follow_up.customer_comment) == (
        FollowUpStatus.ESCALATED,
        T0 + 2 * HOUR,
        "Still nothing",
    )
    escalated = Notification.objects.filter(kind=Kind.REVIEW_ESCALATED)
    assert sorted(escalated.values_list("recipient__username", flat=True)) == ["moderator-1", "northwind-owner"]
    with pytest.raises(StateConflict):
        follow_up_answer(review=review, actor=parties["buyer"], resolved=False, now=T0 + 3 * HOUR)
    follow_up = follow_up_answer(review=review, actor=parties["buyer"], resolved=True, now=T0 + 4 * HOUR)
    assert follow_up.status == FollowUpStatus.RESOLVED
    with pytest.raises(StateConflict):
        follow_up_answer(review=review, actor=parties["buyer"], resolved=True, now=T0 + 5 * HOUR)


def test_follow_up_waits_for_a_response_the_customer_can_read(parties: dict[str, Any]) -> None:
    review = _write(parties, rating=1)
    held = response_post(
        review=review, author=parties["member"], body="Contact me at owner@example.com instead.", now=T0 + HOUR
    )
    assert held.status == ResponseStatus.PENDING_MODERATION

    with pytest.raises(StateConflict) as error:
        follow_up_answer(review=review, actor=parties["buyer"], resolved=False, now=T0 + 2 * HOUR)

    assert error.value.code == "not_responded"
    assert not Notification.objects.filter(kind=Kind.REVIEW_ESCALATED).exists()


# --- The badge follows the order after the review is written ---------------------------------------


def test_the_badge_is_withdrawn_when_the_order_is_cancelled_after_the_review(
    parties: dict[str, Any], django_assert_num_queries: Any
) -> None:
    delivered = _write(parties)  # on the delivered order: verified
    never_bought = _write(parties, buyer=BuyerFactory(), product=parties["second_product"])
    assert (delivered.verified_purchase, never_bought.verified_purchase) == (True, False)

    Order.objects.filter(pk=parties["order"].pk).update(status="cancelled")
    with django_assert_num_queries(4):  # two set-based updates in one transaction (and its savepoint)
        summary = reviews_verified_purchase_sync(now=T0 + HOUR)

    assert summary == {"withdrawn": 1, "granted": 0}
    delivered.refresh_from_db()
    assert (delivered.verified_purchase, delivered.updated_at) == (False, T0 + HOUR)
    never_bought.refresh_from_db()
    assert never_bought.verified_purchase is False
    assert reviews_verified_purchase_sync(now=T0 + 2 * HOUR) == {"withdrawn": 0, "granted": 0}


def test_the_badge_is_given_once_the_order_is_delivered_and_taken_back_on_a_full_refund(
    parties: dict[str, Any],
) -> None:
    order = _order_of(parties, status="pending", placed_at=parties["order"].placed_at + timedelta(days=1))
    Order.objects.filter(pk=parties["order"].pk).update(status="cancelled")
    review = _write(parties, order=order)
    assert review.verified_purchase is False

    Order.objects.filter(pk=order.pk).update(status="delivered")
    assert reviews_verified_purchase_sync(now=T0 + HOUR) == {"withdrawn": 0, "granted": 1}
    review.refresh_from_db()
    assert review.verified_purchase is True

    PaymentFactory(order=order, status="refunded", refunded_amount=order.total)
    assert reviews_verified_purchase_sync(now=T0 + 2 * HOUR) == {"withdrawn": 1, "granted": 0}
    review.refresh_from_db()
    assert review.verified_purchase is False
