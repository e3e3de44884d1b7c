"""The impact report: each affiliate's impact — the rating, CSAT and response figures of what it
promoted — beside what it earned for a period.

The figures are generation's own (``generation._figures``: the promoted products' rating, the CSAT
of the interactions about its attributed orders, a seller's store figures and 4-hour response
rate), so the report shows exactly what the tiers read. Earnings are the period's statement total
(no statement yet: none). A constant number of queries whatever the number of affiliates."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from core.money import round_money
from core.periods import Period
from royalty.models import Affiliate, AffiliateKind, Attribution, Statement
from royalty.services import generation

SORTS = {
    "name": "name",
    "kind": "kind",
    "sales": "sales",
    "sales_amount": "sales_amount",
    "rating": "rating",
    "csat": "csat",
    "response_rate": "response_rate",
    "earnings": "earnings",
}
DEFAULT_SORT = "-earnings"


@dataclass(frozen=True)
class ImpactRow:
    affiliate_id: int
    name: str
    kind: str
    currency: str
    sales: int
    sales_amount: Decimal
    rating: Decimal | None
    reviews: int
    csat: Decimal | None
    csat_responses: int
    response_rate: Decimal | None
    inquiries: int
    earnings: Decimal | None
    status: str | None
    statement_id: int | None


def impact_sort_key(sort: str) -> tuple[str, bool]:
    """``sort`` (``earnings``, ``-csat``, ...) as (field, descending); unknown: the default."""
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field not in SORTS:
        return impact_sort_key(DEFAULT_SORT)
    return field, descending


def _sorted(rows: list[ImpactRow], sort: str) -> list[ImpactRow]:
    field, descending = impact_sort_key(sort)
    present = [row for row in rows if getattr(row, field) is not None]
    missing = [row for row in rows if getattr(row, field) is None]  # no figure: last either way
    present.sort(key=lambda row: (getattr(row, field), row.name.lower()), reverse=descending)
    missing.sort(key=lambda row: row.name.lower())
    return present + missing


def impact_report(*, period: Period, now: datetime, sort: str = DEFAULT_SORT) -> list[ImpactRow]:
    """Every active affiliate and every affiliate with a statement for ``period``."""
    statements: dict[int, dict[str, Any]] = {
        row["affiliate_id"]: dict(row)
        for row in Statement.objects.filter(period=period.label).values("affiliate_id", "id", "total", "status")
    }
    affiliates = list(
        Affiliate.objects.filter(Q(is_active=True) | Q(id__in=list(statements))).values(
            "id", "name", "kind", "seller_id", "currency"
        )
    )
    sales: dict[int, dict[str, Any]] = {
        row["affiliate_id"]: dict(row)
        for row in Attribution.objects.filter(sold_at__gte=period.start, sold_at__lt=period.end)
        .order_by()
        .values("affiliate_id")
        .annotate(sales=Count("id"), amount=Sum("amount"))
    }
    figures = generation._figures(
        period,
        {
            row["id"]: {"affiliate_id": row["id"], "kind": row["kind"], "seller_id": row["seller_id"]}
            for row in affiliates
        },
        now=now,
    )
    rows = []
    for affiliate in affiliates:
        affiliate_id = affiliate["id"]
        figure = figures[affiliate_id]
        statement = statements.get(affiliate_id)
        sold = sales.get(affiliate_id, {})
        is_seller = affiliate["kind"] == AffiliateKind.SELLER
        rows.append(
            ImpactRow(
                affiliate_id=affiliate_id,
                name=affiliate["name"],
                kind=affiliate["kind"],
                currency=affiliate["currency"],
                sales=sold.get("sales", 0),
                # In cents: SQLite sums decimals as floats (``1234.5600000000001``).
                sales_amount=round_money(sold.get("amount") or Decimal("0.00")),
                rating=figure.rating.average if figure.rating else None,
                reviews=figure.rating.reviews if figure.rating else 0,
                csat=figure.csat.csat_pct if figure.csat else None,
                csat_responses=figure.csat.responses if figure.csat else 0,
                response_rate=figure.response_rate_pct if is_seller else None,
                inquiries=figure.response_inquiries if is_seller else 0,
                earnings=statement["total"] if statement else None,
                status=statement["status"] if statement else None,
                statement_id=statement["id"] if statement else None,
            )
        )
    return _sorted(rows, sort)
