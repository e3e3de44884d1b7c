"""The per-product and per-seller rating counters (see ``reviews.models``, "Ratings").

Every change is a list of ``RatingChange(product_id, seller_id, rating, delta)`` applied in the
caller's transaction: per affected row one ``INSERT ... ON CONFLICT DO NOTHING`` (the row may not
exist yet) and one ``UPDATE ... SET count = count + delta, ...``. The UPDATE is atomic and takes
the row lock, so concurrent reviews of one product never lose a count; rows are touched in
primary-key order so two transactions moving reviews between the same products cannot deadlock.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, Sum

from reviews.models import ProductRating, RatingCounters, Review, ReviewStatus, SellerRating

STARS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class RatingChange:
    product_id: int
    seller_id: int
    rating: int
    delta: int  # +1 a review became published, -1 it stopped being published


def _star(rating: int) -> str:
    return f"stars_{rating}"


def _apply(model: type[RatingCounters], key: str, deltas: dict[int, dict[int, int]], now: datetime) -> None:
    for pk in sorted(deltas):
        by_star = {star: delta for star, delta in deltas[pk].items() if delta}
        if not by_star:
            continue
        manager = model._default_manager
        manager.bulk_create([model(**{key: pk})], ignore_conflicts=True)
        updates: dict[str, Any] = {
            "count": F("count") + sum(by_star.values()),
            "total": F("total") + sum(star * delta for star, delta in by_star.items()),
            "updated_at": now,
        }
        for star, delta in by_star.items():
            updates[_star(star)] = F(_star(star)) + delta
        manager.filter(pk=pk).update(**updates)


def ratings_apply(*, changes: Iterable[RatingChange], now: datetime) -> None:
    """Apply the changes (call inside the transaction that changed the reviews)."""
    by_product: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_seller: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for change in changes:
        by_product[change.product_id][change.rating] += change.delta
        by_seller[change.seller_id][change.rating] += change.delta
    _apply(ProductRating, "product_id", by_product, now)
    _apply(SellerRating, "seller_id", by_seller, now)


def _recomputed(group_by: str, ids: Sequence[int] | None) -> dict[int, dict[str, int]]:
    reviews = Review.objects.filter(status=ReviewStatus.PUBLISHED)
    if ids is not None:
        reviews = reviews.filter(**{f"{group_by}__in": list(ids)})
    aggregates: dict[str, Any] = {"count": Count("id"), "total": Sum("rating")}
    for star in STARS:
        aggregates[_star(star)] = Count("id", filter=Q(rating=star))
    rows = reviews.order_by().values(group_by).annotate(**aggregates)
    return {row[group_by]: {name: int(row[name] or 0) for name in aggregates} for row in rows}


def ratings_recompute(
    *, product_ids: Sequence[int] | None = None, seller_ids: Sequence[int] | None = None, now: datetime
) -> None:
    """Rebuild the counters of these products and sellers (None: every one) from the published
    reviews: for repair after a manual fix, and what the tests check the running counters against.
    Rows for ids without published reviews are set to zero."""
    empty = {"count": 0, "total": 0, **{_star(star): 0 for star in STARS}}
    models: tuple[tuple[type[RatingCounters], str, Sequence[int] | None], ...] = (
        (ProductRating, "product_id", product_ids),
        (SellerRating, "seller_id", seller_ids),
    )
    for model, key, ids in models:
        manager = model._default_manager
        figures = _recomputed(key, ids)
        known = set(figures) | set(ids or []) | set(manager.values_list(key, flat=True))
        if ids is not None:
            known &= set(ids)
        for pk in sorted(known):
            values: dict[str, Any] = {**empty, **figures.get(pk, {}), "updated_at": now}
            if not manager.filter(pk=pk).update(**values):
                manager.create(**{key: pk}, **values)
