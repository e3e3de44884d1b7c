"""Statement generation for a period: set-based, idempotent, never touching a closed statement.

One transaction, a constant number of statements whatever the number of affiliates and sales, and
no write per sale (a million attributed sales are read by one aggregate, never rewritten):

1. the rule set in force at the period's start; the attributions table is locked against inserts
   for the run (``SHARE``: readers go on) and two runs queue on an advisory lock;
2. coverage: the statement of the period pays the affiliate's sales sold before the period's end
   and attributed up to now (``covered_through``: the highest attribution id), less what its
   previous statement covered (sold before that one's end and attributed up to its
   ``covered_through``). One aggregate computes every affiliate's sales and commission
   (``rules.commission_sql``) over that difference. An affiliate whose statement for the period is
   approved or paid, or that has a statement of a later period, is left alone: its sales wait for
   its next statement;
3. a draft statement for every affiliate with something to pay (sales, or refunds not yet clawed
   back); the drafts record the run's ``covered_through`` and rule set;
4. per statement and line family (``base``, ``performance:<metric>``) the amount the statement
   should carry is computed from the covered sales and the period's figures; a line for the
   difference is appended when it differs from what the lines already say (``<family>:<n>``):
   running twice adds nothing, and a late sale in a draft adds a correcting line;
5. clawbacks: one line per refund (created before the period's end) of a covered sale that no
   statement clawed back yet (``StatementLine.refund`` is unique), at the commission the sale
   earned under the rule set of the statement that covered it: a refund whose sale's statement is
   approved or paid lands in the statement generated next;
6. the totals are recomputed from the lines and an event row is written per statement changed.

Rounding: each line is rounded once, half-up, to the cent; a correcting line is the difference of
two rounded amounts, so it is exact.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from accounts.models import User
from core.exceptions import InvalidInput, StateConflict
from core.money import round_money
from core.periods import Period, quarter_of
from feedback.selectors.csat import CsatFigure, csat_by, csat_by_order
from inquiries.models import SellerStanding, StandingLevel
from inquiries.selectors.kpis import response_metrics_by_seller
from marketplace.models import Refund
from notifications.services.bulk import Draft, notify_many
from reviews.selectors.ratings import RatingTotals, rating_totals_by_product, rating_totals_by_seller
from royalty.models import (
    Affiliate,
    AffiliateKind,
    Attribution,
    CommissionRate,
    EventKind,
    LineKind,
    Metric,
    PerformanceTier,
    RuleSet,
    Statement,
    StatementEvent,
    StatementLine,
    StatementStatus,
)
from royalty.notices import Kind
from royalty.services.common import totals_recompute
from royalty.services.rules import commission_sql, commission_sum, rate_amount, rate_for_sale, ruleset_for_period
from royalty.services.standing import standing_tier

ZERO = Decimal("0.00")
METRICS = (Metric.RATING, Metric.CSAT, Metric.RESPONSE_RATE)


@dataclass
class GenerationResult:
    period: str
    statement_ids: list[int]
    statements_created: int = 0
    lines_added: int = 0
    lines_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AffiliateFigures:
    """The period's figures of one affiliate, as the tiers read them (None: no figure)."""

    rating: RatingTotals | None = None
    csat: CsatFigure | None = None
    response_rate_pct: Decimal | None = None
    response_inquiries: int = 0
    standing: str | None = None  # sellers: the latest quarterly standing decided (inquiries)
    standing_period: str | None = None

    def value(self, metric: str) -> Decimal | None:
        if metric == Metric.RATING:
            return self.rating.average if self.rating else None
        if metric == Metric.CSAT:
            return self.csat.csat_pct if self.csat else None
        return self.response_rate_pct

    def explain(self, metric: str) -> dict[str, Any]:
        if metric == Metric.RATING:
            totals = self.rating or RatingTotals(reviews=0, stars=0)
            return {"reviews": totals.reviews, "stars": totals.stars}
        if metric == Metric.CSAT:
            csat = self.csat or CsatFigure(responses=0, satisfied=0)
            return {"responses": csat.responses, "satisfied": csat.satisfied}
        return {"inquiries": self.response_inquiries}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _lock_generation() -> None:
    """Two generations queue (the second then finds the first's work done), and no sale is
    attributed meanwhile: a sale inserted during the run with an id below ``covered_through`` would
    otherwise count as covered without being paid."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('royalty_generation'))")
            cursor.execute(f"LOCK TABLE {Attribution._meta.db_table} IN SHARE MODE")


def _check_no_overlap(period: Period) -> None:
    overlapping = (
        Statement.objects.filter(start__lt=period.end, end__gt=period.start).exclude(period=period.label).first()
    )
    if overlapping is not None:
        raise StateConflict(
            f"Statements for {overlapping.period} overlap {period.label}: generate one kind of period "
            "(months, or quarters) for the same time.",
            code="overlapping_period",
        )


_STATEMENT = Statement._meta.db_table
_ATTRIBUTION = Attribution._meta.db_table
_AFFILIATE = Affiliate._meta.db_table


def _db_datetime(value: datetime) -> Any:
    """A datetime as the backend stores it (SQLite: Django's text form), for the written-out SQL."""
    return connection.ops.adapt_datetimefield_value(value)


def _frozen_sql() -> str:
    """Affiliates generation leaves alone: their statement for the period is closed, or they have a
    statement of a later period (their coverage moved on)."""
    return f"""
        SELECT affiliate_id FROM {_STATEMENT} WHERE (period = %s AND status <> 'draft') OR start >= %s
    """  # noqa: S608 (identifiers from model metadata; values are parameters)


def _covered_sales(period: Period, ruleset: RuleSet, watermark: int) -> dict[int, dict[str, Any]]:
    """affiliate -> {sales, sales_amount, commission (unrounded)} over what the period's statement
    covers (see the module), in one aggregate."""
    commission, commission_params = commission_sql(
        ruleset.rates.all(), kind="af.kind", product="a.product_id", category="a.category", amount="a.amount"
    )
    end = connection.ops.quote_name("end")
    sql = f"""
        SELECT a.affiliate_id, COUNT(*), SUM(a.amount), SUM({commission})
        FROM {_ATTRIBUTION} AS a
        JOIN {_AFFILIATE} AS af ON af.id = a.affiliate_id
        LEFT JOIN (
            SELECT s.affiliate_id, s.{end} AS prev_end, s.covered_through AS prev_through
            FROM {_STATEMENT} AS s
            WHERE s.start < %s AND NOT EXISTS (
                SELECT 1 FROM {_STATEMENT} AS later
                WHERE later.affiliate_id = s.affiliate_id AND later.start < %s AND later.start > s.start
            )
        ) AS p ON p.affiliate_id = a.affiliate_id
        WHERE a.sold_at < %s AND a.id <= %s
          AND (p.affiliate_id IS NULL OR a.sold_at >= p.prev_end OR a.id > p.prev_through)
          AND a.affiliate_id NOT IN ({_frozen_sql()})
        GROUP BY a.affiliate_id
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    start, end_at = _db_datetime(period.start), _db_datetime(period.end)
    params = [*commission_params, start, start, end_at, watermark, period.label, end_at]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        affiliate_id: {
            "sales": sales,
            "sales_amount": Decimal(str(amount)).quantize(Decimal("0.01")),
            "commission": commission_sum(total),
        }
        for affiliate_id, sales, amount, total in rows
    }


def _refunds_to_claw(period: Period, watermark: int) -> list[dict[str, Any]]:
    """Refunds created before the period's end, not clawed back yet, of sales covered by now.

    Read from every refund not clawed back, on purpose: generation pays every affiliate, so there is
    no affiliate to start from (the preview's read starts from its one affiliate's sales,
    ``royalty.selectors.preview``). That set includes the refunds on orders no affiliate attributed,
    which are never clawed back and so are read again each month: 10,000 cost 120 ms in the
    database (EXPLAIN ANALYZE, bench/README.md) of the 30 s goal. Written as the preview's
    ``NOT EXISTS``, the planner counts them right and hash-joins them to every attribution instead
    (a parallel scan of 1,100,000: 180 ms), so the ``LEFT JOIN`` stays. Bounding it would need a
    mark on refunds that can no longer be clawed back, and a late attribution can still make one
    clawable."""
    frozen = Statement.objects.filter(
        Q(period=period.label) & ~Q(status=StatementStatus.DRAFT) | Q(start__gte=period.end)
    )
    rows = (
        Refund.objects.filter(
            created_at__lt=period.end,
            royalty_clawback__isnull=True,
            payment__order__attribution__sold_at__lt=period.end,
            payment__order__attribution__id__lte=watermark,
        )
        .exclude(payment__order__attribution__affiliate_id__in=frozen.values("affiliate_id"))
        .order_by("created_at", "id")
        .values(
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
    )
    return [dict(row) for row in rows]


def _ensure_statements(period: Period, affiliate_ids: list[int], *, now: datetime) -> int:
    """Draft statements for the affiliates without one for the period, in one INSERT ... SELECT
    (ON CONFLICT DO NOTHING: one made meanwhile is left as it is); returns how many were made."""
    if not affiliate_ids:
        return 0
    before = Statement.objects.filter(period=period.label).count()
    end = connection.ops.quote_name("end")
    for chunk_start in range(0, len(affiliate_ids), 10_000):
        chunk = affiliate_ids[chunk_start : chunk_start + 10_000]
        placeholders = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {_STATEMENT}
                    (affiliate_id, period, start, {end}, currency, status, total, created_at, covered_through)
                SELECT af.id, %s, %s, %s, af.currency, %s, 0, %s, 0
                FROM {_AFFILIATE} AS af WHERE af.id IN ({placeholders})
                ON CONFLICT (affiliate_id, period) DO NOTHING
                """,  # noqa: S608 (identifiers from model metadata; values are parameters)
                [
                    period.label,
                    _db_datetime(period.start),
                    _db_datetime(period.end),
                    StatementStatus.DRAFT,
                    _db_datetime(now),
                    *chunk,
                ],
            )
    return Statement.objects.filter(period=period.label).count() - before


def _existing_family_sums(statement_ids: Iterable[int]) -> dict[tuple[int, str], tuple[Decimal, int]]:
    """(statement, family) -> (sum of its lines, how many), for base and performance lines."""
    sums: dict[tuple[int, str], tuple[Decimal, int]] = {}
    rows = StatementLine.objects.filter(
        statement_id__in=statement_ids, kind__in=[LineKind.BASE, LineKind.PERFORMANCE]
    ).values_list("statement_id", "source_key", "amount")
    for statement_id, source_key, amount in rows:
        family = source_key.rsplit(":", 1)[0]
        total, count = sums.get((statement_id, family), (ZERO, 0))
        sums[(statement_id, family)] = (total + amount, count + 1)
    return sums


def _standings(seller_ids: list[int], *, quarter: str) -> dict[int, tuple[str, str]]:
    """seller -> (effective level, quarter) of the latest standing decided up to ``quarter``: the
    quarterly reward / warning / penalty of the 4-hour promise (``inquiries``), one query."""
    if not seller_ids:
        return {}
    found: dict[int, tuple[str, str]] = {}
    for seller_id, label, level, overridden in (
        SellerStanding.objects.filter(seller_id__in=seller_ids, period__lte=quarter)
        .order_by("seller_id", "-period")
        .values_list("seller_id", "period", "level", "overridden_level")
    ):
        found.setdefault(seller_id, (overridden or level, label))
    return found


def _figures(period: Period, statements: dict[int, dict[str, Any]], *, now: datetime) -> dict[int, AffiliateFigures]:
    """Every statement's figures in a constant number of queries: the promoted products' rating
    (sellers: the store's), the CSAT of the attributed orders (sellers: the store's) and, for
    sellers, the 4-hour response rate — read through the other apps' selectors."""
    seller_of = {sid: row["seller_id"] for sid, row in statements.items() if row["kind"] == AffiliateKind.SELLER}
    others = [sid for sid, row in statements.items() if row["kind"] != AffiliateKind.SELLER]
    seller_ids = sorted(set(seller_of.values()))
    ratings_by_seller = rating_totals_by_seller(start=period.start, end=period.end, seller_ids=seller_ids)
    csat_by_seller = csat_by(period, "seller", keys=seller_ids) if seller_ids else {}
    responses = (
        response_metrics_by_seller(seller_ids=seller_ids, start=period.start, end=period.end, now=now)
        if seller_ids
        else {}
    )

    standings = _standings(seller_ids, quarter=quarter_of(period.start).label)

    ratings: dict[int, RatingTotals] = defaultdict(lambda: RatingTotals(reviews=0, stars=0))
    csats: dict[int, CsatFigure] = {}
    if others:
        # The products it promoted: those of its sales in the period.
        statement_of = {statements[sid]["affiliate_id"]: sid for sid in others}
        promoted = Attribution.objects.filter(
            affiliate_id__in=list(statement_of), sold_at__gte=period.start, sold_at__lt=period.end
        )
        product_totals = rating_totals_by_product(
            start=period.start, end=period.end, product_ids=promoted.filter(product__isnull=False).values("product_id")
        )
        if product_totals:
            pairs = (
                promoted.filter(product_id__in=list(product_totals))
                .order_by()
                .values_list("affiliate_id", "product_id")
                .distinct()
            )
            for affiliate_id, product_id in pairs:
                statement_id = statement_of[affiliate_id]
                ratings[statement_id] = ratings[statement_id] + product_totals[product_id]
        # The CSAT of the interactions about every order ever attributed to the affiliate,
        # answered in the period.
        affiliate_statement = {statements[sid]["affiliate_id"]: sid for sid in others}
        attributed = Attribution.objects.filter(affiliate_id__in=list(affiliate_statement)).values("order_id")
        by_order = csat_by_order(period, attributed)
        if by_order:
            owners = Attribution.objects.filter(order_id__in=list(by_order)).values_list("order_id", "affiliate_id")
            sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
            for order_id, affiliate_id in owners:
                figure = by_order[order_id]
                sums[affiliate_statement[affiliate_id]][0] += figure.responses
                sums[affiliate_statement[affiliate_id]][1] += figure.satisfied
            csats = {sid: CsatFigure(responses=r, satisfied=s) for sid, (r, s) in sums.items()}

    figures: dict[int, AffiliateFigures] = {}
    for sid in statements:
        if sid in seller_of:
            seller_id = seller_of[sid]
            metrics = responses.get(seller_id)
            figures[sid] = AffiliateFigures(
                rating=ratings_by_seller.get(seller_id),
                csat=csat_by_seller.get(seller_id),
                response_rate_pct=metrics.within_target_pct if metrics else None,
                response_inquiries=metrics.inquiries if metrics else 0,
                standing=standings.get(seller_id, (None, None))[0],
                standing_period=standings.get(seller_id, (None, None))[1],
            )
        else:
            figures[sid] = AffiliateFigures(rating=ratings.get(sid), csat=csats.get(sid))
    return figures


def _tier_data(tier: PerformanceTier | None) -> dict[str, Any] | None:
    if tier is None:
        return None
    return {"id": tier.id, "min_value": str(tier.min_value), "multiplier": str(tier.multiplier)}


def _family_lines(
    period: Period,
    ruleset: RuleSet,
    statement_ids: list[int],
    covered: dict[int, dict[str, Any]],
    *,
    now: datetime,
) -> list[StatementLine]:
    """The base and performance lines to append (differences only)."""
    if not statement_ids:
        return []
    statements: dict[int, dict[str, Any]] = {
        statement_id: {"affiliate_id": affiliate_id, "kind": kind, "seller_id": seller_id}
        for statement_id, affiliate_id, kind, seller_id in Statement.objects.filter(id__in=statement_ids).values_list(
            "id", "affiliate_id", "affiliate__kind", "affiliate__seller_id"
        )
    }
    sales: dict[int, dict[str, Any]] = {
        statement_id: covered[row["affiliate_id"]]
        for statement_id, row in statements.items()
        if row["affiliate_id"] in covered
    }
    existing = _existing_family_sums(statement_ids)
    tiers = list(ruleset.tiers.all())
    ruleset_data = {"id": ruleset.id, "name": ruleset.name}
    lines: list[StatementLine] = []

    def append(
        statement_id: int,
        family: str,
        kind: str,
        target: Decimal,
        description: str,
        data: dict[str, Any],
        *,
        explain_zero: bool = False,
    ) -> None:
        already, count = existing.get((statement_id, family), (ZERO, 0))
        difference = target - already
        # A zero line only where it explains something: the first base line, a capped bonus.
        if difference == 0 and (count or not (kind == LineKind.BASE or explain_zero)):
            return
        if count:
            description = f"{description} (correction: now {target}, earlier lines {already})"
        lines.append(
            StatementLine(
                statement_id=statement_id,
                kind=kind,
                amount=difference,
                description=description[:300],
                figures={**data, "target": str(target), "earlier_lines": str(already), "ruleset": ruleset_data},
                source_key=f"{family}:{count + 1}",
                created_at=now,
            )
        )

    bases: dict[int, Decimal] = {}
    for statement_id, row in sales.items():
        base = round_money(row["commission"] or ZERO)
        bases[statement_id] = base
        append(
            statement_id,
            "base",
            LineKind.BASE,
            base,
            f"Commission on {row['sales']} attributed sale{'s' if row['sales'] != 1 else ''} "
            f"({row['sales_amount']} in sales)",
            {
                "sales": row["sales"],
                "sales_amount": str(row["sales_amount"]),
                "commission_unrounded": str(row["commission"]),
            },
        )
    # A statement with earlier base lines but no settled sale now cannot happen (sales stay settled).
    with_base = [sid for sid in statement_ids if bases.get(sid, existing.get((sid, "base"), (ZERO, 0))[0])]
    figures = _figures(period, {sid: statements[sid] for sid in with_base}, now=now)
    for statement_id in with_base:
        base = bases.get(statement_id, existing.get((statement_id, "base"), (ZERO, 0))[0])
        kind = statements[statement_id]["kind"]
        affiliate_figures = figures[statement_id]
        for metric in METRICS:
            if metric == Metric.RESPONSE_RATE and kind != AffiliateKind.SELLER:
                continue
            value = affiliate_figures.value(metric)
            # The seller's standing moves its tiers (royalty.services.standing): under a penalty no
            # performance bonus (penalties still apply); a responsive badge lifts the figure one tier.
            placed = standing_tier(tiers, metric=metric, kind=kind, value=value, standing=affiliate_figures.standing)
            hit, multiplier = placed.hit, placed.multiplier
            capped = affiliate_figures.standing == StandingLevel.PENALTY and bool(placed.effect)
            target = round_money(base * (multiplier - 1))
            label = Metric(metric).label
            description = (
                f"{label}: {value} reaches the tier from {hit.tier.min_value} (x{multiplier} on {base})"
                + (" - capped: standing penalty" if capped else "")
                if hit.tier
                else f"{label}: {value if value is not None else 'no figure'} reaches no tier"
            )
            if placed.effect and not capped:
                description = f"{description}; {placed.effect}"
            append(
                statement_id,
                f"performance:{metric}",
                LineKind.PERFORMANCE,
                target,
                description,
                {
                    "metric": metric,
                    "value": _text(value),
                    **affiliate_figures.explain(metric),
                    "tier": _tier_data(hit.tier),
                    "next_tier": _tier_data(hit.next_tier),
                    "base": str(base),
                    **(
                        {
                            "standing": affiliate_figures.standing,
                            "standing_period": affiliate_figures.standing_period,
                            "capped_by_standing": capped,
                            "standing_effect": placed.effect,
                        }
                        if affiliate_figures.standing
                        else {}
                    ),
                    "multiplier": str(multiplier),
                },
                explain_zero=capped,
            )
    return lines


def _sale_commissions(refunds: list[dict[str, Any]]) -> dict[int, tuple[Decimal, int | None]]:
    """attribution -> (its commission, rounded, and the statement that covered it): at the rates of
    the rule set of the first statement of its affiliate whose coverage holds the sale."""
    affiliate_ids = {row["payment__order__attribution__affiliate_id"] for row in refunds}
    statements: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for statement in (
        Statement.objects.filter(affiliate_id__in=affiliate_ids)
        .order_by("start", "id")
        .values("id", "affiliate_id", "end", "covered_through", "ruleset_id")
    ):
        statements[statement["affiliate_id"]].append(dict(statement))
    rates: dict[int, list[CommissionRate]] = defaultdict(list)
    ruleset_ids = {each["ruleset_id"] for listed in statements.values() for each in listed if each["ruleset_id"]}
    for each_rate in CommissionRate.objects.filter(ruleset_id__in=ruleset_ids):
        rates[each_rate.ruleset_id].append(each_rate)
    found: dict[int, tuple[Decimal, int | None]] = {}
    for row in refunds:
        attribution = row["payment__order__attribution__id"]
        covering = next(
            (
                statement
                for statement in statements[row["payment__order__attribution__affiliate_id"]]
                if row["payment__order__attribution__sold_at"] < statement["end"]
                and attribution <= statement["covered_through"]
            ),
            None,
        )
        if covering is None or covering["ruleset_id"] is None:
            found[attribution] = (ZERO, None)
            continue
        rate = rate_for_sale(
            rates[covering["ruleset_id"]],
            kind=row["payment__order__attribution__affiliate__kind"],
            product_id=row["payment__order__attribution__product_id"],
            category=row["payment__order__attribution__category"],
        )
        amount = ZERO if rate is None else rate_amount(rate, row["payment__order__attribution__amount"])
        found[attribution] = (round_money(amount), covering["id"])
    return found


def _clawback_lines(
    refunds: list[dict[str, Any]], statement_of: dict[int, int], *, now: datetime
) -> list[StatementLine]:
    """One line per refund, on the affiliate's draft for the period; the sale's commission is
    clawed back at most once over, whatever the number of refunds."""
    if not refunds:
        return []
    commissions = _sale_commissions(refunds)
    taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for order_id, amount in (
        StatementLine.objects.filter(
            kind=LineKind.CLAWBACK, refund__payment__order_id__in={row["payment__order_id"] for row in refunds}
        )
        .order_by()
        .values_list("refund__payment__order_id", "amount")
    ):
        taken[order_id] += -amount
    lines = []
    for row in refunds:
        order_id = row["payment__order_id"]
        sale_amount = row["payment__order__attribution__amount"]
        commission, covering = commissions[row["payment__order__attribution__id"]]
        share = Decimal("1") if not sale_amount else min(Decimal("1"), row["amount"] / sale_amount)
        clawed = max(min(round_money(commission * share), commission - taken[order_id]), ZERO)
        taken[order_id] += clawed
        lines.append(
            StatementLine(
                statement_id=statement_of[row["payment__order__attribution__affiliate_id"]],
                kind=LineKind.CLAWBACK,
                amount=-clawed,
                description=(
                    f"Refund of {row['amount']} on order {row['payment__order__number']} "
                    f"({row['created_at']:%Y-%m-%d}): {share * 100:.2f}% of its commission {commission}"
                )[:300],
                figures={
                    "refund": row["id"],
                    "refunded_at": row["created_at"].isoformat(),
                    "refund_amount": str(row["amount"]),
                    "order": order_id,
                    "order_number": row["payment__order__number"],
                    "attribution": row["payment__order__attribution__id"],
                    "sale_amount": str(sale_amount),
                    "commission": str(commission),
                    "share": str(share.quantize(Decimal("0.0001"))),
                    "paid_by_statement": covering,
                },
                refund_id=row["id"],
                source_key=f"clawback:{row['id']}",
                created_at=now,
            )
        )
    return lines


def _notify_new_statements(statement_ids: Iterable[int], *, period: Period) -> None:
    """The affiliates that sign in are told their new statement is there (after commit, in one
    INSERT however many)."""
    rows = list(
        Statement.objects.filter(id__in=list(statement_ids), affiliate__user__isnull=False).select_related(
            "affiliate__user"
        )
    )
    drafts = [
        Draft(
            recipient=statement.affiliate.user,
            kind=Kind.STATEMENT_READY,
            title=f"Your royalty statement for {period.label} is ready: {statement.total} {statement.currency}",
            body="It is a draft until finance approves it.",
            link="/seller/royalty/" if statement.affiliate.kind == AffiliateKind.SELLER else "/royalty/",
        )
        for statement in rows
        if statement.affiliate.user is not None
    ]
    if drafts:
        transaction.on_commit(lambda: notify_many(drafts=drafts))


def statements_generate(*, period: Period, now: datetime, actor: User | None = None) -> GenerationResult:
    """Generate (or bring up to date) the statements of ``period``. Idempotent; see the module."""
    if period.end > now:
        raise InvalidInput(
            f"The period {period.label} is not over yet: its statements are generated after it closes "
            "(the preview shows it so far).",
            code="period_open",
            field="period",
        )
    ruleset = ruleset_for_period(period)
    with transaction.atomic():
        _lock_generation()
        _check_no_overlap(period)
        watermark = Attribution.objects.order_by("-id").values_list("id", flat=True).first() or 0
        covered = _covered_sales(period, ruleset, watermark)
        refunds = _refunds_to_claw(period, watermark)
        affiliate_ids = sorted(set(covered) | {row["payment__order__attribution__affiliate_id"] for row in refunds})
        before = set(Statement.objects.filter(period=period.label).values_list("id", flat=True))
        created = _ensure_statements(period, affiliate_ids, now=now)
        new_ids = set(Statement.objects.filter(period=period.label).values_list("id", flat=True)) - before
        drafts = Statement.objects.filter(period=period.label, status=StatementStatus.DRAFT).exclude(
            affiliate_id__in=Statement.objects.filter(start__gte=period.end).values("affiliate_id")
        )
        statement_of = dict(drafts.values_list("affiliate_id", "id"))
        draft_ids = sorted(statement_of.values())
        Statement.objects.filter(id__in=draft_ids).exclude(covered_through=watermark, ruleset=ruleset).update(
            covered_through=watermark, ruleset=ruleset
        )
        lines = _family_lines(period, ruleset, draft_ids, covered, now=now)
        lines += _clawback_lines(refunds, statement_of, now=now)
        StatementLine.objects.bulk_create(lines, batch_size=5000)
        changed = sorted({line.statement_id for line in lines})
        totals_recompute(changed)
        cleared = list(
            Statement.objects.filter(id__in=changed, approved_by__isnull=False).values_list("id", "approved_by_id")
        )
        if cleared:
            Statement.objects.filter(id__in=[sid for sid, _ in cleared]).update(approved_by=None, approved_at=None)
        counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for line in lines:
            counts[line.statement_id][line.kind] += 1
        events = [
            StatementEvent(
                statement_id=sid,
                kind=EventKind.GENERATED if sid in new_ids else EventKind.LINES_ADDED,
                actor=actor,
                data={"lines": dict(counts[sid]), "ruleset": ruleset.id},
                created_at=now,
            )
            for sid in sorted(new_ids | set(changed))
        ]
        events += [
            StatementEvent(
                statement_id=sid,
                kind=EventKind.APPROVAL_CLEARED,
                actor=actor,
                note="New lines changed the amount: approve it again.",
                data={"first_approver": approver},
                created_at=now,
            )
            for sid, approver in cleared
        ]
        StatementEvent.objects.bulk_create(events, batch_size=5000)
        _notify_new_statements(new_ids, period=period)
    by_kind: dict[str, int] = defaultdict(int)
    for line in lines:
        by_kind[line.kind] += 1
    statement_ids = list(Statement.objects.filter(period=period.label).values_list("id", flat=True))
    return GenerationResult(
        period=period.label,
        statement_ids=statement_ids,
        statements_created=created,
        lines_added=len(lines),
        lines_by_kind=dict(by_kind),
    )
