"""The seller's "reviews needing a response" queue: only the seller's published, unanswered
reviews; negative first, then by due time; one statement whatever the queue's length."""

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings

from reviews.models import Review, ReviewStatus
from reviews.selectors.needs_response import seller_reviews_needing_response
from tests.marketplace.factories import ProductFactory, SellerFactory
from tests.reviews.factories import T0, ReviewFactory

HOUR = timedelta(hours=1)
pytestmark = pytest.mark.django_db


def _review(product: Any, *, rating: int, written: timedelta, **fields: Any) -> Review:
    created_at = T0 - written
    target = (
        settings.REVIEWS_NEGATIVE_RESPONSE_TARGET
        if rating <= settings.REVIEWS_NEGATIVE_MAX_RATING
        else settings.REVIEWS_RESPONSE_TARGET
    )
    return ReviewFactory(
        product=product, rating=rating, created_at=created_at, response_due_at=created_at + target, **fields
    )


def test_negative_reviews_come_first_then_by_due_time() -> None:
    product = ProductFactory()
    positive_due_soon = _review(product, rating=5, written=47 * HOUR)  # due in 1 h
    neutral_overdue = _review(product, rating=3, written=50 * HOUR)  # due 2 h ago
    negative_due_later = _review(product, rating=2, written=1 * HOUR)  # due in 23 h
    negative_overdue = _review(product, rating=1, written=30 * HOUR)  # due 6 h ago

    queue = list(seller_reviews_needing_response(seller_id=product.seller_id, now=T0))

    assert [review.pk for review in queue] == [
        negative_overdue.pk,
        negative_due_later.pk,
        neutral_overdue.pk,
        positive_due_soon.pk,
    ]
    assert [(review.is_negative, review.is_overdue) for review in queue] == [
        (True, True),
        (True, False),
        (False, True),
        (False, False),
    ]


def test_answered_hidden_removed_and_other_sellers_reviews_are_left_out() -> None:
    product = ProductFactory()
    waiting = _review(product, rating=1, written=HOUR)
    _review(product, rating=1, written=HOUR, first_response_at=T0 - HOUR / 2)
    _review(product, rating=1, written=HOUR, status=ReviewStatus.HIDDEN)
    _review(product, rating=1, written=HOUR, status=ReviewStatus.REMOVED)
    _review(ProductFactory(seller=SellerFactory()), rating=1, written=HOUR)

    queue = seller_reviews_needing_response(seller_id=product.seller_id, now=T0)

    assert [review.pk for review in queue] == [waiting.pk]


def test_the_limit_cuts_the_queue_after_the_most_urgent() -> None:
    product = ProductFactory()
    reviews = [_review(product, rating=1, written=hours * HOUR) for hours in range(1, 6)]

    queue = seller_reviews_needing_response(seller_id=product.seller_id, now=T0, limit=2)

    assert [review.pk for review in queue] == [reviews[4].pk, reviews[3].pk]


@pytest.mark.parametrize("queue_length", [2, 20])
def test_one_statement_with_product_and_buyer_whatever_the_queue_length(
    queue_length: int, django_assert_num_queries: Any
) -> None:
    product = ProductFactory()
    for hours in range(queue_length):
        _review(product, rating=1 + hours % 5, written=hours * HOUR)

    with django_assert_num_queries(1):
        queue = list(seller_reviews_needing_response(seller_id=product.seller_id, now=T0))
        shown = [(review.product.name, review.buyer.username) for review in queue]

    assert len(shown) == queue_length
