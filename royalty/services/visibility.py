"""Visibility scores: one number (0-100) per seller and per product for the storefront to rank by,
from the figures the other apps define — never recomputed here:

- rating: the average rating of the published reviews written in the window
  (``reviews.selectors.ratings``: a seller's over its products, a product's own);
- response rate: the seller's 4-hour response rate over the inquiries opened in the window
  (``inquiries.selectors.kpis.response_metrics_by_seller``); a product takes its seller's;
- CSAT: the seller's CSAT % over the survey answers given in the window
  (``feedback.selectors.csat.csat_by``); a product takes its seller's.

score = 100 x (w_rating x rating / 5 + w_response x response rate / 100 + w_csat x CSAT / 100)
        / (w_rating + w_response + w_csat)

with the weights ``ROYALTY_VISIBILITY_WEIGHTS`` (0.4 / 0.3 / 0.3). A missing figure (no review,
no inquiry, no survey answer in the window) counts as ``ROYALTY_VISIBILITY_NEUTRAL`` of its full
marks (0.5): a new store starts in the middle, neither buried nor promoted. Rounded half-up to
two places.

The refresh is set-based: three grouped reads for every seller, one for every product, and the
scores upserted in batches on their ``subject`` key (``INSERT ... ON CONFLICT DO UPDATE``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from core.periods import Period
from feedback.selectors.csat import csat_by
from inquiries.selectors.kpis import response_metrics_by_seller
from marketplace.models import Product, Seller
from reviews.selectors.ratings import rating_totals_by_product, rating_totals_by_seller
from royalty.models import VisibilityScore

BATCH_SIZE = 2000
FIVE = Decimal("5")
HUNDRED = Decimal("100")
UPDATE_FIELDS = [
    "seller",
    "product",
    "score",
    "rating",
    "reviews",
    "response_rate",
    "inquiries",
    "csat",
    "csat_responses",
    "computed_at",
]


@dataclass(frozen=True)
class VisibilityFigures:
    rating: Decimal | None = None
    reviews: int = 0
    response_rate: Decimal | None = None
    inquiries: int = 0
    csat: Decimal | None = None
    csat_responses: int = 0


def visibility_score(figures: VisibilityFigures) -> Decimal:
    """The formula (see the module); every part is a fraction of its full marks."""
    weights = settings.ROYALTY_VISIBILITY_WEIGHTS
    neutral = settings.ROYALTY_VISIBILITY_NEUTRAL
    parts = {
        "rating": figures.rating / FIVE if figures.rating is not None else neutral,
        "response_rate": figures.response_rate / HUNDRED if figures.response_rate is not None else neutral,
        "csat": figures.csat / HUNDRED if figures.csat is not None else neutral,
    }
    total_weight = sum(weights.values(), Decimal("0"))
    if not total_weight:
        return (HUNDRED * neutral).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    weighted = sum((weights[name] * min(parts[name], Decimal("1")) for name in parts), Decimal("0"))
    return (HUNDRED * weighted / total_weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def visibility_formula() -> str:
    """The formula as the API and the pages show it, with the weights in force."""
    weights = settings.ROYALTY_VISIBILITY_WEIGHTS
    total = sum(weights.values(), Decimal("0"))
    return (
        f"score = 100 x ({weights['rating']} x rating/5 + {weights['response_rate']} x response rate/100 "
        f"+ {weights['csat']} x CSAT/100) / {total}; figures of the last {settings.ROYALTY_VISIBILITY_WINDOW_DAYS} "
        f"days; a missing figure counts as {settings.ROYALTY_VISIBILITY_NEUTRAL} of its part"
    )


def visibility_window(now: datetime) -> Period:
    days = settings.ROYALTY_VISIBILITY_WINDOW_DAYS
    return Period(label=f"last-{days}-days", start=now - timedelta(days=days), end=now)


def _seller_figures(seller_ids: list[int], *, now: datetime) -> dict[int, VisibilityFigures]:
    window = visibility_window(now)
    ratings = rating_totals_by_seller(start=window.start, end=window.end, seller_ids=seller_ids)
    responses = response_metrics_by_seller(seller_ids=seller_ids, start=window.start, end=window.end, now=now)
    csats = csat_by(window, "seller", keys=seller_ids)
    figures = {}
    for seller_id in seller_ids:
        rating, response, csat = ratings.get(seller_id), responses.get(seller_id), csats.get(seller_id)
        figures[seller_id] = VisibilityFigures(
            rating=rating.average if rating else None,
            reviews=rating.reviews if rating else 0,
            response_rate=response.within_target_pct if response else None,
            inquiries=response.inquiries if response else 0,
            csat=csat.csat_pct if csat else None,
            csat_responses=csat.responses if csat else 0,
        )
    return figures


def _row(subject: str, figures: VisibilityFigures, *, now: datetime, **owner: object) -> VisibilityScore:
    return VisibilityScore(
        subject=subject,
        score=visibility_score(figures),
        rating=figures.rating,
        reviews=figures.reviews,
        response_rate=figures.response_rate,
        inquiries=figures.inquiries,
        csat=figures.csat,
        csat_responses=figures.csat_responses,
        computed_at=now,
        **owner,
    )


def _upsert(rows: list[VisibilityScore]) -> None:
    VisibilityScore.objects.bulk_create(
        rows, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=["subject"], update_fields=UPDATE_FIELDS
    )


def visibility_refresh(
    *, now: datetime, seller_ids: Iterable[int] | None = None, product_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """Recompute and store the scores of these sellers and products (None: all of them)."""
    products = Product.objects.order_by("id")
    if product_ids is not None:
        products = products.filter(id__in=list(product_ids))
    product_rows = list(products.values_list("id", "seller_id"))
    sellers = set(Seller.objects.values_list("id", flat=True)) if seller_ids is None else set(seller_ids)
    # A product's response rate and CSAT are its seller's: read those sellers' figures too.
    wanted = sorted(sellers | {seller_id for _, seller_id in product_rows})
    by_seller = _seller_figures(wanted, now=now) if wanted else {}
    _upsert(
        [
            _row(f"seller:{seller_id}", by_seller[seller_id], now=now, seller_id=seller_id)
            for seller_id in sorted(sellers)
        ]
    )
    if product_rows:
        window = visibility_window(now)
        ratings = rating_totals_by_product(
            start=window.start,
            end=window.end,
            product_ids=None if product_ids is None else [product_id for product_id, _ in product_rows],
        )
        rows = []
        for product_id, seller_id in product_rows:
            rating, seller = ratings.get(product_id), by_seller[seller_id]
            figures = VisibilityFigures(
                rating=rating.average if rating else None,
                reviews=rating.reviews if rating else 0,
                response_rate=seller.response_rate,
                inquiries=seller.inquiries,
                csat=seller.csat,
                csat_responses=seller.csat_responses,
            )
            rows.append(_row(f"product:{product_id}", figures, now=now, product_id=product_id))
        _upsert(rows)
    return {"sellers": len(sellers), "products": len(product_rows)}


def visibility_for_seller(*, seller: Seller, now: datetime) -> VisibilityScore:
    """The stored score; computed on demand for a seller the sweep has not reached yet."""
    score = VisibilityScore.objects.filter(seller=seller).first()
    if score is None:
        visibility_refresh(now=now, seller_ids=[seller.pk], product_ids=[])
        score = VisibilityScore.objects.get(seller=seller)
    return score


def visibility_for_product(*, product: Product, now: datetime) -> VisibilityScore:
    score = VisibilityScore.objects.filter(product=product).first()
    if score is None:
        visibility_refresh(now=now, seller_ids=[], product_ids=[product.pk])
        score = VisibilityScore.objects.get(product=product)
    return score
