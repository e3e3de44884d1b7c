"""The seller's "reviews needing a response" queue (the seller dashboard's first list).

A review needs a response while it is published and has no live response (``first_response_at``
is null: a response waiting for moderation counts as one, the seller cannot post a second): the
console's ``awaiting_response_q``.
Negative reviews (1-2 stars, ``REVIEWS_NEGATIVE_MAX_RATING``) come first, each group by due time,
so the most urgent row is on top.

One statement, in two steps: the page's ids are chosen from the partial index
``rev_seller_needs_response_idx`` alone (an index-only scan of just the seller's unanswered
published reviews, carrying the rating for the "negative first" order), and only those rows are
read and joined to their product and buyer. Sorting the full rows instead meant reading every one
of a large seller's reviews from the table (about 14,000 scattered rows for the benchmark's large
seller, 10x the 10 ms target; see bench/README.md).
"""

from datetime import datetime

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy

from reviews.models import Review
from reviews.selectors.queue import awaiting_response_q


def _negative_first_order() -> tuple[OrderBy, str, str]:
    negative = Case(
        When(rating__lte=settings.REVIEWS_NEGATIVE_MAX_RATING, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return negative.desc(), "response_due_at", "id"


def seller_reviews_needing_response(*, seller_id: int, now: datetime, limit: int = 50) -> QuerySet[Review]:
    """The seller's unanswered published reviews, negative first, then by ``response_due_at``, at
    most ``limit``; annotated with ``is_overdue`` (due at or before ``now``; ``Review.is_negative``
    is the other half of the urgency), with the product and the buyer the page shows."""
    page_ids = (
        Review.objects.filter(awaiting_response_q(), seller_id=seller_id)
        .order_by(*_negative_first_order())
        .values("id")[:limit]
    )
    is_overdue = Case(
        When(response_due_at__lte=now, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        Review.objects.filter(id__in=page_ids)
        .annotate(is_overdue=is_overdue)
        .select_related("product", "buyer", "clock")
        .order_by(*_negative_first_order())
    )


def seller_needs_response_counts(*, seller_id: int) -> dict[str, int]:
    """How many of the seller's reviews wait for a response (``waiting``) and how many of them are
    negative (``urgent``): one index-only scan of the same partial index, whatever the page shows."""
    figures = (
        Review.objects.filter(awaiting_response_q(), seller_id=seller_id)
        .order_by()
        .aggregate(waiting=Count("id"), urgent=Count("id", filter=Q(rating__lte=settings.REVIEWS_NEGATIVE_MAX_RATING)))
    )
    return {"waiting": int(figures["waiting"] or 0), "urgent": int(figures["urgent"] or 0)}
