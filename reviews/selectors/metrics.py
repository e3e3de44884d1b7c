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

``review_metrics_by_seller``: the same figures (all bands together) for every seller at once,
ranked worst first, for the console's report; grouped by seller, again a constant number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Min, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth

from core.figures import HUNDRED, Median, median, median_in_sql, percentage, whole_seconds
from core.periods import Period, month_period, shift_period
from marketplace.models import Seller
from reviews.models import CaseStatus, ResponseStatus, Review, ReviewCase, ReviewResponse, ReviewStatus, SellerStrike
from reviews.selectors.queue import escalated_unanswered_q, negative_awaiting_response_q

BANDS = ("negative", "neutral", "positive")


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
    if median_in_sql():
        figures["median"] = Median("first_response_seconds", filter=responded)
    return figures


def _band_metrics(row: dict[str, Any], median_seconds: float | None) -> BandMetrics:
    reviews, responded, within = (
        int(row.get("reviews") or 0),
        int(row.get("responded") or 0),
        int(row.get("within") or 0),
    )
    return BandMetrics(
        reviews=reviews,
        responded=responded,
        response_rate_pct=percentage(responded, reviews),
        median_response_seconds=whole_seconds(row.get("median", median_seconds)),
        answered_within_target=within,
        within_target_pct=percentage(within, reviews),
    )


def review_metrics(*, seller_id: int | None, start: datetime, end: datetime, now: datetime) -> ReviewMetrics:
    """The figures of reviews written in ``[start, end)`` and the open work at ``now``; ``seller_id``
    None: platform-wide. Seven queries on PostgreSQL (eight on SQLite), whatever the volume."""
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
    if not median_in_sql():
        seconds: dict[str, list[int]] = defaultdict(list)
        for band, value in banded.filter(first_response_seconds__isnull=False).values_list(
            "band", "first_response_seconds"
        ):
            if value is not None:
                seconds[band].append(value)
        medians = {band: median(seconds[band]) for band in BANDS}
        total_median = median([value for values in seconds.values() for value in values])
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


@dataclass(frozen=True)
class SellerReviewMetrics:
    """One row of the sellers table: the seller and its figures (``by_band`` left empty)."""

    seller: Seller
    metrics: ReviewMetrics


def _rank(item: tuple[int, ReviewMetrics]) -> tuple[int, Decimal, int, int]:
    # Most open negative reviews first, then the lowest response rate (a seller without reviews in
    # the period after those with some), then the most reviews; the seller id keeps ties stable.
    seller_id, figures = item
    rate = figures.total.response_rate_pct
    return (-figures.open_negative_reviews, HUNDRED + 1 if rate is None else rate, -figures.total.reviews, seller_id)


def review_metrics_by_seller(
    *, start: datetime, end: datetime, now: datetime, limit: int
) -> tuple[list[SellerReviewMetrics], int]:
    """``review_metrics`` for every seller with something to count (reviews written in
    ``[start, end)``, open negative reviews, responses flagged or waiting, strikes, open cases),
    ranked worst first (``_rank``); the first ``limit`` rows and how many sellers there are.

    Each figure is one aggregate grouped by seller, so the query count is constant (six on
    PostgreSQL, seven on SQLite) whatever the number of sellers and reviews."""
    reviews = Review.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    totals: dict[int, dict[str, Any]] = {
        row["seller_id"]: dict(row) for row in reviews.values("seller_id").annotate(**_aggregates())
    }
    medians: dict[int, float | None] = {}
    if not median_in_sql():
        seconds: dict[int, list[int]] = defaultdict(list)
        for seller_id, value in reviews.filter(first_response_seconds__isnull=False).values_list(
            "seller_id", "first_response_seconds"
        ):
            if value is not None:
                seconds[seller_id].append(value)
        medians = {seller_id: median(values) for seller_id, values in seconds.items()}
    # The queue's own conditions (``reviews.selectors.queue``): open negative = the index card's.
    open_negative: dict[int, dict[str, Any]] = {
        row["seller_id"]: dict(row)
        for row in Review.objects.filter(negative_awaiting_response_q())
        .order_by()
        .values("seller_id")
        .annotate(open=Count("id"), escalated=Count("id", filter=escalated_unanswered_q()))
    }
    # Flagged in the period and waiting for moderation now: one pass over the responses that are either.
    in_period = Q(created_at__gte=start, created_at__lt=end)
    is_pending = Q(status=ResponseStatus.PENDING_MODERATION)
    responses: dict[int, dict[str, Any]] = {
        row["seller_id"]: dict(row)
        for row in ReviewResponse.objects.filter(seller_id__isnull=False)
        .filter((in_period & Q(flagged=True)) | is_pending)
        .order_by()
        .values("seller_id")
        .annotate(flagged=Count("id", filter=in_period & Q(flagged=True)), pending=Count("id", filter=is_pending))
    }
    strikes = {
        row["seller_id"]: row["strikes"]
        for row in SellerStrike.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values("seller_id")
        .annotate(strikes=Count("id"))
    }
    # A case counts for the seller of its review and the seller of its product (once if the same),
    # as in ``review_metrics``: grouped by the pair, split here.
    cases: dict[int, dict[str, Any]] = defaultdict(lambda: {"open": 0, "oldest": None})
    for row in (
        ReviewCase.objects.filter(status=CaseStatus.OPEN)
        .order_by()
        .values("review__seller_id", "product__seller_id")
        .annotate(open=Count("id"), oldest=Min("created_at"))
    ):
        for seller_id in {row["review__seller_id"], row["product__seller_id"]} - {None}:
            case_figures = cases[seller_id]
            case_figures["open"] += row["open"]
            case_figures["oldest"] = min(filter(None, (case_figures["oldest"], row["oldest"])), default=None)
    seller_ids = set(totals) | set(open_negative) | set(responses) | set(strikes) | set(cases)
    ranked: list[tuple[int, ReviewMetrics]] = []
    for seller_id in seller_ids:
        opened = open_negative.get(seller_id, {})
        answered = responses.get(seller_id, {})
        case = cases.get(seller_id, {"open": 0, "oldest": None})
        oldest = case["oldest"]
        figures = ReviewMetrics(
            total=_band_metrics(totals.get(seller_id, {}), medians.get(seller_id)),
            open_negative_reviews=int(opened.get("open") or 0),
            escalated_open=int(opened.get("escalated") or 0),
            flagged_responses=int(answered.get("flagged") or 0),
            pending_moderation=int(answered.get("pending") or 0),
            strikes=strikes.get(seller_id, 0),
            open_cases=case["open"],
            oldest_open_case_age_seconds=max(int((now - oldest).total_seconds()), 0) if oldest else None,
        )
        ranked.append((seller_id, figures))
    ranked.sort(key=_rank)
    shown = ranked[:limit]
    sellers = Seller.objects.in_bulk([seller_id for seller_id, _ in shown])
    rows = [SellerReviewMetrics(seller=sellers[seller_id], metrics=figures) for seller_id, figures in shown]
    return rows, len(ranked)


@dataclass(frozen=True)
class ReviewMonth:
    """One calendar month (UTC) of reviews written: how many, how many negative, and how many
    first answered by their due time (``within_target_pct`` of all the month's reviews)."""

    period: Period
    reviews: int = 0
    negative: int = 0
    answered_within_target: int = 0
    within_target_pct: Decimal | None = None


def review_monthly_series(*, seller_id: int | None, months: int, now: datetime) -> list[ReviewMonth]:
    """The last ``months`` calendar months up to and including the current one (``now``, UTC),
    oldest first; months without reviews as zeros. One grouped query whatever the volume."""
    if months < 1:
        raise ValueError("months must be at least 1")
    today = now.astimezone(UTC)
    current = month_period(today.year, today.month)
    periods = [shift_period(current, steps) for steps in range(-(months - 1), 1)]
    reviews = Review.objects.filter(created_at__gte=periods[0].start, created_at__lt=current.end)
    if seller_id is not None:
        reviews = reviews.filter(seller_id=seller_id)
    rows = (
        reviews.order_by()
        .annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values("month")
        .annotate(
            reviews=Count("id"),
            negative=Count("id", filter=Q(rating__lte=settings.REVIEWS_NEGATIVE_MAX_RATING)),
            within=Count("id", filter=Q(first_response_at__isnull=False, first_response_at__lte=F("response_due_at"))),
        )
    )
    by_month = {(row["month"].year, row["month"].month): row for row in rows}
    series = []
    for period in periods:
        row = by_month.get((period.start.year, period.start.month))
        if row is None:
            series.append(ReviewMonth(period=period))
            continue
        series.append(
            ReviewMonth(
                period=period,
                reviews=row["reviews"],
                negative=row["negative"],
                answered_within_target=row["within"],
                within_target_pct=percentage(row["within"], row["reviews"]),
            )
        )
    return series
