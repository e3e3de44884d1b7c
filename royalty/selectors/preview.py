"""The preview: what an affiliate would earn this month if it closed now, figure by figure, and what
would move each figure to its next tier.

The statement arithmetic is written once, in ``royalty.services.generation``. The preview does not
copy it: inside a savepoint it makes the draft statement generation would make for the affiliate
over ``[start of the month, now)``, lets generation compute the lines it would append (base, one
performance line per metric, clawbacks) and the figures it reads, keeps those unsaved lines, and
rolls the savepoint back. So the preview is, by construction, the statement generation would
write if the month ended now. The price: one statement row that never commits and a statement id
taken from the sequence. What the statement covers (generation's ``_covered_sales`` and
``_refunds_to_claw`` read every affiliate at once) is read here for the one affiliate, with
generation's coverage rule and ``rules.commission_sql``.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from core.periods import Period, month_period
from marketplace.models import Refund
from royalty.models import (
    Affiliate,
    AffiliateKind,
    Attribution,
    LineKind,
    Metric,
    PerformanceTier,
    RuleSet,
    Statement,
    StatementLine,
    StatementStatus,
)
from royalty.services import generation
from royalty.services.rules import commission_sql, commission_sum, ruleset_in_force
from royalty.services.standing import standing_tier

ZERO = Decimal("0.00")
PREVIEW_LABEL = "preview"
# The refund fields generation's ``_clawback_lines`` reads.
REFUND_FIELDS = (
    "id",
    "amount",
    "created_at",
    "payment__order_id",
    "payment__order__number",
    "payment__order__attribution__id",
    "payment__order__attribution__affiliate_id",
    "payment__order__attribution__affiliate__kind",
    "payment__order__attribution__amount",
    "payment__order__attribution__product_id",
    "payment__order__attribution__category",
    "payment__order__attribution__sold_at",
)
METRIC_UNITS: dict[str, str] = {Metric.RATING: "★", Metric.CSAT: " %", Metric.RESPONSE_RATE: " %"}


@dataclass(frozen=True)
class PreviewFigure:
    """One performance figure: its value, the tier it reaches, the amount it adds, the next tier."""

    metric: str
    label: str
    value: Decimal | None
    details: dict[str, Any]
    tier_min_value: Decimal | None
    multiplier: Decimal
    amount: Decimal
    next_tier_min_value: Decimal | None
    next_tier_multiplier: Decimal | None
    to_next_tier: str | None
    standing_effect: str = ""


@dataclass(frozen=True)
class PreviewLine:
    kind: str
    amount: Decimal
    description: str


@dataclass(frozen=True)
class Preview:
    affiliate_id: int
    affiliate_name: str
    kind: str
    period: str
    start: datetime
    as_of: datetime
    currency: str
    ruleset: dict[str, Any] | None
    standing: str | None = None
    sales: int = 0
    sales_amount: Decimal = ZERO
    base_commission: Decimal = ZERO
    figures: list[PreviewFigure] = field(default_factory=list)
    performance: Decimal = ZERO
    clawbacks: int = 0
    clawback_amount: Decimal = ZERO
    total: Decimal = ZERO
    lines: list[PreviewLine] = field(default_factory=list)


class _Rollback(Exception):
    """Leaves the preview's savepoint: nothing it wrote survives."""


def _needed(*, numerator: int, denominator: int, target_pct: Decimal, per_unit: int = 100) -> int:
    """How many more ``per_unit``-valued answers lift ``numerator / denominator`` (as a
    percentage, or stars when ``per_unit`` is 5 and the target is in stars) to ``target``:
    the least n with (numerator + per_unit·n) / (denominator + n) >= target."""
    if denominator == 0:
        return 1 if target_pct <= per_unit else -1
    gap = target_pct * denominator - Decimal(numerator) * (100 if per_unit == 100 else 1)
    if gap <= 0:
        return 0
    headroom = Decimal(per_unit) - target_pct
    if headroom <= 0:
        return -1  # unreachable: the target is the maximum
    return int((gap / headroom).to_integral_value(rounding=ROUND_CEILING))


def to_next_tier(metric: str, value: Decimal | None, details: dict[str, Any], next_min: Decimal) -> str:
    """ "CSAT 88.24 % → 90 % (x1.10): 3 more satisfied answers at this volume"."""
    unit = METRIC_UNITS[metric]
    now = "no figure yet" if value is None else f"{value}{unit}"
    head = f"{Metric(metric).label}: {now} → {next_min}{unit}"
    if metric == Metric.RATING:
        count = _needed(
            numerator=int(details.get("stars", 0)),
            denominator=int(details.get("reviews", 0)),
            target_pct=next_min,
            per_unit=5,
        )
        what = "5-star reviews"
    elif metric == Metric.CSAT:
        count = _needed(
            numerator=int(details.get("satisfied", 0)),
            denominator=int(details.get("responses", 0)),
            target_pct=next_min,
        )
        what = "satisfied answers (4 or 5)"
    else:
        inquiries = int(details.get("inquiries", 0))
        within = 0 if value is None else int((value * inquiries / 100).to_integral_value())
        count = _needed(numerator=within, denominator=inquiries, target_pct=next_min)
        what = "inquiries answered within 4 hours"
    if count < 0:
        return f"{head}: out of reach (the tier asks for the maximum)"
    if count == 0:
        return f"{head}: reached once the figure is counted"
    return f"{head}: {count} more {what} at this volume"


def _figures(
    figures: "generation.AffiliateFigures",
    tiers: list[PerformanceTier],
    *,
    kind: str,
    standing: str | None,
    lines: list[StatementLine],
) -> list[PreviewFigure]:
    """Every metric the affiliate's kind is paid on, with the tier generation gives it
    (``standing_tier``: the figure's tier moved by a seller's standing) and the amount of
    generation's line (a figure whose multiplier is 1 has no line: 0)."""
    amounts = {line.figures["metric"]: line.amount for line in lines if line.kind == LineKind.PERFORMANCE}
    result = []
    for metric in generation.METRICS:
        if metric == Metric.RESPONSE_RATE and kind != AffiliateKind.SELLER:
            continue
        value = figures.value(metric)
        details = figures.explain(metric)
        placed = standing_tier(tiers, metric=metric, kind=kind, value=value, standing=standing)
        hit, next_tier = placed.hit, placed.hit.next_tier
        result.append(
            PreviewFigure(
                metric=metric,
                label=Metric(metric).label,
                value=value,
                details=details,
                tier_min_value=hit.tier.min_value if hit.tier else None,
                multiplier=placed.multiplier,
                amount=amounts.get(metric, ZERO),
                next_tier_min_value=next_tier.min_value if next_tier else None,
                next_tier_multiplier=next_tier.multiplier if next_tier else None,
                to_next_tier=to_next_tier(metric, value, details, next_tier.min_value) if next_tier else None,
                standing_effect=placed.effect,
            )
        )
    return result


def _covered_sales(affiliate: Affiliate, period: Period, ruleset: RuleSet, watermark: int) -> dict[int, dict[str, Any]]:
    """What the affiliate's statement for ``period`` would cover, in the shape generation's
    ``_covered_sales`` gives for every affiliate (that one scans every affiliate's sales; the preview
    reads one affiliate's): its sales sold before the end and attributed up to ``watermark``, less
    those its previous statement covered, with the commission of ``rules.commission_sql``."""
    previous = (
        Statement.objects.filter(affiliate=affiliate, start__lt=period.start)
        .order_by("-start", "-id")
        .values_list("end", "covered_through")
        .first()
    )
    commission, params = commission_sql(
        ruleset.rates.all(), kind="af.kind", product="a.product_id", category="a.category", amount="a.amount"
    )
    sql = f"""
        SELECT COUNT(*), SUM(a.amount), SUM({commission})
        FROM {Attribution._meta.db_table} AS a JOIN {Affiliate._meta.db_table} AS af ON af.id = a.affiliate_id
        WHERE a.affiliate_id = %s AND a.sold_at < %s AND a.id <= %s
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    params += [affiliate.pk, period.end, watermark]
    if previous is not None:
        sql += " AND (a.sold_at >= %s OR a.id > %s)"
        params += list(previous)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        sales, amount, total = cursor.fetchone()
    if not sales:
        return {}
    return {
        affiliate.pk: {
            "sales": sales,
            "sales_amount": Decimal(str(amount)).quantize(Decimal("0.01")),
            "commission": commission_sum(total),
        }
    }


def _refunds_to_claw(affiliate: Affiliate, period: Period, watermark: int) -> list[dict[str, Any]]:
    """Generation's ``_refunds_to_claw`` rows, for one affiliate.

    Read from the affiliate's sales (by its index on ``affiliate``) to their payments and refunds
    (by their foreign-key indexes), not from every refund not clawed back: refunds on orders no
    affiliate attributed are never clawed back, so that set only grows with the platform. "Not
    clawed back" is ``NOT EXISTS``, an anti join the planner counts right, rather than the
    ``LEFT JOIN ... IS NULL`` of ``royalty_clawback__isnull``, which it guessed at 0.5 % of the
    refunds (50 of 10,000) and so started from all of them: 33 ms against 1.8 ms on the
    benchmark's data (bench/README.md, tests/royalty/test_preview_refunds.py)."""
    rows = (
        Refund.objects.filter(
            ~Exists(StatementLine.objects.filter(refund=OuterRef("pk"))),
            created_at__lt=period.end,
            payment__order__attribution__affiliate=affiliate,
            payment__order__attribution__sold_at__lt=period.end,
            payment__order__attribution__id__lte=watermark,
        )
        .order_by("created_at", "id")
        .values(*REFUND_FIELDS)
    )
    return [dict(row) for row in rows]


def _generated(affiliate: Affiliate, period: Period, *, now: datetime) -> tuple[list[StatementLine], Any, Any]:
    """The lines generation would append to the affiliate's statement for ``period`` and the
    figures it reads (rolled back)."""
    ruleset = ruleset_in_force(period.start.date())
    if ruleset is None:
        return [], None, None
    lines: list[StatementLine] = []
    figures = None
    watermark = Attribution.objects.order_by("-id").values_list("id", flat=True).first() or 0
    covered = _covered_sales(affiliate, period, ruleset, watermark)
    try:
        with transaction.atomic():
            # The draft generation would make, covering up to now (the clawbacks read its coverage).
            statement = Statement.objects.create(
                affiliate=affiliate,
                period=period.label,
                start=period.start,
                end=period.end,
                currency=affiliate.currency,
                status=StatementStatus.DRAFT,
                total=ZERO,
                created_at=now,
                covered_through=watermark,
                ruleset=ruleset,
            )
            lines = generation._family_lines(period, ruleset, [statement.id], covered, now=now)
            refunds = _refunds_to_claw(affiliate, period, watermark)
            lines += generation._clawback_lines(refunds, {affiliate.pk: statement.id}, now=now)
            row = {"affiliate_id": affiliate.pk, "kind": affiliate.kind, "seller_id": affiliate.seller_id}
            figures = generation._figures(period, {statement.id: row}, now=now)[statement.id]
            raise _Rollback
    except _Rollback:
        pass
    return lines, ruleset, figures


def affiliate_preview(*, affiliate: Affiliate, now: datetime) -> Preview:
    """What ``affiliate`` would earn for the current month if it closed at ``now``."""
    month = month_period(now.year, now.month)
    so_far = Period(label=PREVIEW_LABEL, start=month.start, end=now)
    lines, ruleset, period_figures = _generated(affiliate, so_far, now=now)
    base = next((line for line in lines if line.kind == LineKind.BASE), None)
    standing = period_figures.standing if period_figures is not None else None
    figures = (
        _figures(period_figures, list(ruleset.tiers.all()), kind=affiliate.kind, standing=standing, lines=lines)
        if ruleset
        else []
    )
    clawbacks = [line for line in lines if line.kind == LineKind.CLAWBACK]
    performance = sum((figure.amount for figure in figures), ZERO)
    base_amount = base.amount if base else ZERO
    clawback_amount = sum((line.amount for line in clawbacks), ZERO)
    return Preview(
        affiliate_id=affiliate.pk,
        affiliate_name=affiliate.name,
        kind=affiliate.kind,
        period=month.label,
        start=month.start,
        as_of=now,
        currency=affiliate.currency,
        ruleset={"id": ruleset.id, "name": ruleset.name} if ruleset else None,
        standing=standing,
        sales=int(base.figures["sales"]) if base else 0,
        sales_amount=Decimal(base.figures["sales_amount"]) if base else ZERO,
        base_commission=base_amount,
        figures=figures,
        performance=performance,
        clawbacks=len(clawbacks),
        clawback_amount=clawback_amount,
        total=base_amount + performance + clawback_amount,
        lines=[PreviewLine(kind=line.kind, amount=line.amount, description=line.description) for line in lines],
    )
