"""Review response metrics, for a seller or platform-wide: one definition for the API, the
dashboard and the console.

Reviews count in the period they were *written* (``created_at`` in the half-open UTC range
``[start, end)``), whatever their status now. Rating bands: ``negative`` (1-2 stars,
``REVIEWS_NEGATIVE_MAX_RATING``), ``neutral`` (3) and ``positive`` (4-5). Per band:

- ``reviews``; ``responded``: with a live response (published or waiting for moderation);
- ``response_rate_pct`` = responded / reviews * 100, half-up to 2 places (None without reviews);
- ``median_response_seconds``: over the responded ones (seconds from review to first response);
- ``answered_within_target``: first response by ``response_due_at`` (24 h negative, 48 h others);
  ``within_target_pct`` = answered_within_target / reviews * 100.

And the state *now*: ``open_negative_reviews`` (published, negative, unanswered),
``escalated_open`` (of those, already escalated), ``pending_moderation`` responses, open cases and
the age of the oldest; plus, in the period: flagged responses and strikes.

Everything is SQL aggregates (``COUNT(...) FILTER (WHERE ...)``, grouped by band): a constant
number of queries whatever the number of reviews. The median uses PostgreSQL's
``percentile_cont``; on SQLite (the embedded default) one more query and Python's median.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Count, F, Min, Q, QuerySet, Value, When

from inquiries.selectors.kpis import Median
from reviews.models import CaseStatus, ResponseStatus, Review, ReviewCase, ReviewResponse, ReviewStatus, SellerStrike

BANDS = ("negative", "neutral", "positive")
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class BandMetrics:
    reviews: int = 0
    responded: int = 0
    response_rate_pct: Decimal | None = None
    median_response_seconds: int | None = None
    answered_within_target: int = 0
    within_target_pct: Decimal | None = None


@dataclass(frozen=True)
class ReviewMetrics:
    total: BandMetrics
    by_band: dict[str, BandMetrics] = field(default_factory=dict)
    open_negative_reviews: int = 0
    escalated_open: int = 0
    flagged_responses: int = 0
    pending_moderation: int = 0
    strikes: int = 0
    open_cases: int = 0
    oldest_open_case_age_seconds: int | None = None


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * _HUNDRED / Decimal(whole)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _whole(value: float | None) -> int | None:
    if value is None:
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _band() -> Case:
    return Case(
        When(rating__lte=settings.REVIEWS_NEGATIVE_MAX_RATING, then=Value("negative")),
        When(rating__lte=3, then=Value("neutral")),
        default=Value("positive"),
        output_field=CharField(),
    )


def _aggregates() -> dict[str, Any]:
    responded = Q(first_response_at__isnull=False)
    figures: dict[str, Any] = {
        "reviews": Count("id"),
        "responded": Count("id", filter=responded),
        "within": Count("id", filter=responded & Q(first_response_at__lte=F("response_due_at"))),
    }
    if connection.vendor == "postgresql":
        figures["median"] = Median("first_response_seconds", filter=responded)
    return figures


def _band_metrics(row: dict[str, Any], median: float | None) -> BandMetrics:
    reviews, responded, within = (
        int(row.get("reviews") or 0),
        int(row.get("responded") or 0),
        int(row.get("within") or 0),
    )
    return BandMetrics(
        reviews=reviews,
        responded=responded,
        response_rate_pct=_pct(responded, reviews),
        median_response_seconds=_whole(row.get("median", median)),
        answered_within_target=within,
        within_target_pct=_pct(within, reviews),
    )


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def review_metrics(*, seller_id: int | None, start: datetime, end: datetime, now: datetime) -> ReviewMetrics:
    """The figures of reviews written in ``[start, end)`` and the open work at ``now``; ``seller_id``
    None: platform-wide. Six queries on PostgreSQL (seven on SQLite), whatever the volume."""
    reviews: QuerySet[Review] = Review.objects.filter(created_at__gte=start, created_at__lt=end)
    responses = ReviewResponse.objects.filter(created_at__gte=start, created_at__lt=end)
    strikes = SellerStrike.objects.filter(created_at__gte=start, created_at__lt=end)
    cases = ReviewCase.objects.filter(status=CaseStatus.OPEN)
    open_reviews = Review.objects.filter(
        status=ReviewStatus.PUBLISHED,
        rating__lte=settings.REVIEWS_NEGATIVE_MAX_RATING,
        first_response_at__isnull=True,
    )
    pending = ReviewResponse.objects.filter(status=ResponseStatus.PENDING_MODERATION)
    if seller_id is not None:
        reviews = reviews.filter(seller_id=seller_id)
        responses = responses.filter(seller_id=seller_id)
        strikes = strikes.filter(seller_id=seller_id)
        cases = cases.filter(Q(review__seller_id=seller_id) | Q(product__seller_id=seller_id))
        open_reviews = open_reviews.filter(seller_id=seller_id)
        pending = pending.filter(seller_id=seller_id)
    banded = reviews.order_by().annotate(band=_band())
    rows: dict[str, dict[str, Any]] = {
        row["band"]: dict(row) for row in banded.values("band").annotate(**_aggregates())
    }
    total_row = reviews.order_by().aggregate(**_aggregates())
    medians: dict[str, float | None] = {}
    total_median = None
    if connection.vendor != "postgresql":
        seconds: dict[str, list[int]] = defaultdict(list)
        for band, value in banded.filter(first_response_seconds__isnull=False).values_list(
            "band", "first_response_seconds"
        ):
            if value is not None:
                seconds[band].append(value)
        medians = {band: _median(seconds[band]) for band in BANDS}
        total_median = _median([value for values in seconds.values() for value in values])
    open_figures = open_reviews.order_by().aggregate(
        open=Count("id"), escalated=Count("id", filter=Q(clock__escalated_at__isnull=False))
    )
    work = responses.order_by().aggregate(flagged=Count("id", filter=Q(flagged=True)))
    case_figures = cases.order_by().aggregate(open=Count("id"), oldest=Min("created_at"))
    oldest = case_figures["oldest"]
    return ReviewMetrics(
        total=_band_metrics(total_row, total_median),
        by_band={band: _band_metrics(rows.get(band, {}), medians.get(band)) for band in BANDS},
        open_negative_reviews=int(open_figures["open"] or 0),
        escalated_open=int(open_figures["escalated"] or 0),
        flagged_responses=int(work["flagged"] or 0),
        pending_moderation=pending.count(),
        strikes=strikes.count(),
        open_cases=int(case_figures["open"] or 0),
        oldest_open_case_age_seconds=max(int((now - oldest).total_seconds()), 0) if oldest else None,
    )
