"""The reviews' part of a customer's console timeline (``core.timeline``): the reviews they
wrote and the review cases they opened, newest first, one statement each with a ``LIMIT``."""

from datetime import datetime

from core.timeline import TimelineEntry, console_url
from reviews.models import Review, ReviewCase


def customer_entries(user_id: int, *, limit: int, before: datetime | None) -> list[TimelineEntry]:
    reviews = Review.objects.filter(buyer_id=user_id).select_related("product")
    cases = ReviewCase.objects.filter(buyer_id=user_id)
    if before is not None:
        reviews = reviews.filter(created_at__lt=before)
        cases = cases.filter(created_at__lt=before)
    entries = [
        TimelineEntry(
            at=review.created_at,
            kind="review",
            title=f"Review of {review.product.name}: {review.rating}/5 “{review.title}”",
            summary=review.body[:200],
            url=console_url(Review, review.pk),
            app="reviews",
            status=review.get_status_display(),
        )
        for review in reviews.order_by("-created_at", "-id")[:limit]
    ]
    entries.extend(
        TimelineEntry(
            at=case.created_at,
            kind="review_case",
            title=str(case),
            summary=case.description[:200],
            url=console_url(ReviewCase, case.pk),
            app="reviews",
            status=case.get_status_display(),
        )
        for case in cases.order_by("-created_at", "-id")[:limit]
    )
    return entries
