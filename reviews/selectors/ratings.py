"""Average ratings of reviews written in a period, per product or per seller (royalty's performance
tiers: "the period's average rating of the products an affiliate promotes").

Published reviews only, counted in the period they were written (``created_at`` in ``[start,
end)``), like ``ProductRating``/``SellerRating`` count published reviews all time. The totals
(count and sum of stars) are returned rather than the average so a reader can combine several
products' figures without recomputing them: average = total / count."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from reviews.models import Review, ReviewStatus


@dataclass(frozen=True)
class RatingTotals:
    reviews: int
    stars: int

    @property
    def average(self) -> Decimal | None:
        """Half-up to two places; None without reviews."""
        if not self.reviews:
            return None
        return (Decimal(self.stars) / Decimal(self.reviews)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def __add__(self, other: "RatingTotals") -> "RatingTotals":
        return RatingTotals(reviews=self.reviews + other.reviews, stars=self.stars + other.stars)


def _grouped(field: str, *, start: datetime, end: datetime, keys: Iterable[int] | QuerySet[Any] | None) -> Any:
    rows = Review.objects.filter(status=ReviewStatus.PUBLISHED, created_at__gte=start, created_at__lt=end)
    if keys is not None:
        rows = rows.filter(**{f"{field}__in": keys if isinstance(keys, QuerySet) else list(keys)})
    return rows.order_by().values(field).annotate(reviews=Count("id"), stars=Sum("rating"))


def rating_totals_by_product(
    *, start: datetime, end: datetime, product_ids: Iterable[int] | QuerySet[Any] | None = None
) -> dict[int, RatingTotals]:
    """One grouped query; products without a published review written in the period are absent."""
    return {
        row["product_id"]: RatingTotals(reviews=row["reviews"], stars=row["stars"] or 0)
        for row in _grouped("product_id", start=start, end=end, keys=product_ids)
    }


def rating_totals_by_seller(
    *, start: datetime, end: datetime, seller_ids: Iterable[int] | QuerySet[Any] | None = None
) -> dict[int, RatingTotals]:
    """One grouped query; sellers without a published review written in the period are absent."""
    return {
        row["seller_id"]: RatingTotals(reviews=row["reviews"], stars=row["stars"] or 0)
        for row in _grouped("seller_id", start=start, end=end, keys=seller_ids)
    }
