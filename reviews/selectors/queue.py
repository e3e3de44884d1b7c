"""The reviews work queues of the console: the conditions behind the index page's cards and the
changelist filters they link to, and the counts themselves.

Three aggregate queries whatever the number of rows (reviews, responses, cases). Each card's
condition is the one its changelist filter applies (``reviews.admin``), so a card and the list it
links to always agree.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from reviews.models import CaseStatus, ResponseStatus, Review, ReviewCase, ReviewResponse, ReviewStatus


def negative_awaiting_response_q() -> Q:
    """Published, 1-2 stars (``REVIEWS_NEGATIVE_MAX_RATING``), no live response yet."""
    return Q(
        status=ReviewStatus.PUBLISHED,
        rating__lte=settings.REVIEWS_NEGATIVE_MAX_RATING,
        first_response_at__isnull=True,
    )


def awaiting_response_q() -> Q:
    """Published and not answered yet, whatever the rating."""
    return Q(status=ReviewStatus.PUBLISHED, first_response_at__isnull=True)


def escalated_unanswered_q() -> Q:
    """Escalated to senior support by the sweep and still without a response."""
    return Q(status=ReviewStatus.PUBLISHED, clock__escalated_at__isnull=False, first_response_at__isnull=True)


FLAGGED_TO_MODERATE = Q(status=ResponseStatus.PENDING_MODERATION)
OPEN_CASES = Q(status=CaseStatus.OPEN)


@dataclass(frozen=True)
class ReviewQueueCounts:
    negative_awaiting_response: int
    escalated_unanswered: int
    flagged_responses: int
    open_cases: int


def review_queue_counts() -> ReviewQueueCounts:
    reviews = Review.objects.filter(awaiting_response_q()).aggregate(
        negative=Count("id", filter=negative_awaiting_response_q()),
        escalated=Count("id", filter=escalated_unanswered_q()),
    )
    return ReviewQueueCounts(
        negative_awaiting_response=reviews["negative"],
        escalated_unanswered=reviews["escalated"],
        flagged_responses=ReviewResponse.objects.filter(FLAGGED_TO_MODERATE).count(),
        open_cases=ReviewCase.objects.filter(OPEN_CASES).count(),
    )
